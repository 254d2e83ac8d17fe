"""The leaders' press report, under /monitoring/report/ (namespace "monitoring")."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("", report_views.report_form, name="report"),
    path("docx/", report_views.report_docx, name="report_docx"),
]
