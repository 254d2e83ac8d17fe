from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/delete/", views.organisation_delete, name="delete"),
    path("<int:pk>/aliases/new/", views.alias_create, name="alias_create"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
    path("<int:pk>/functions/new/", views.function_create, name="function_create"),
    path("<int:pk>/end/", views.organisation_end_view, name="end"),
    path("<int:org_pk>/people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/export/", views.person_export, name="person_export"),
    path("people/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("export.<str:fmt>", views.directory_export, name="export"),
    path("import/", views.directory_import, name="import"),
    path("import/<int:pk>/", views.directory_import_status, name="import_status"),
    path("partners/", views.partners, name="partners"),
]
