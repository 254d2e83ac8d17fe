"""URLs of the national view (mounted at /national/)."""

from django.urls import path

from . import national

app_name = "national"
urlpatterns = [
    path("", national.national_view, name="index"),
    path("export.xlsx", national.national_xlsx, name="xlsx"),
    path("report.docx", national.national_docx, name="docx"),
    path("province/<int:province_id>/", national.province_view, name="province"),
    path("province/<int:province_id>/report.docx", national.province_docx, name="province_docx"),
]
