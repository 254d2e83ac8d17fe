from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("notifications/", views.notification_index, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notifications_badge"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("campaigns/", views.campaign_index, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/status/", views.campaign_status, name="campaign_status"),
    path("campaigns/<int:pk>/report.<str:fmt>", views.campaign_report, name="campaign_report"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission_review"),
    path("province/", views.my_province, name="my_province"),
    path("province/<int:pk>/", views.province_dashboard, name="province"),
]
