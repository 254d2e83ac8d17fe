from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_index, name="list"),
    path("upload/", views.plan_upload, name="upload"),
    path("imports/", views.import_index, name="imports"),
    path("imports/<int:pk>/", views.import_review, name="review"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("tasks/", views.task_index, name="tasks"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/copy/", views.plan_copy, name="copy"),
    path("<int:pk>/replace/", views.plan_replace, name="replace"),
    path("<int:pk>/coverage/", views.plan_coverage, name="coverage"),
    path("<int:pk>/export.<str:fmt>", views.plan_export, name="export"),
    path("<int:pk>/versions/<int:number>/", views.plan_version, name="version"),
]
