"""The REST API: one router for every app's viewsets, token sign-in for scripts."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ttdn.audit.api import AuditEntryViewSet
from ttdn.directory.api import CountryViewSet, OrganisationViewSet, PersonViewSet
from ttdn.plans.api import PlanViewSet, TaskViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("people", PersonViewSet, basename="person")
router.register("countries", CountryViewSet, basename="country")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("audit", AuditEntryViewSet, basename="audit")

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
