"""Response cases, under /monitoring/cases/ (app namespace "monitoring")."""

from django.urls import path

from . import case_views as views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_open, name="case_open"),
    path("summary/", views.case_summary_block, name="case_summary"),
    path("evidence/item/<int:item_id>/", views.item_evidence, name="case_item_evidence"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/evidence/", views.case_evidence, name="case_evidence"),
    *[
        path(
            f"<int:pk>/{action}/",
            views.case_action,
            {"action": action},
            name=f"case_{action}",
        )
        for action in views.PERFORM
    ],
]
