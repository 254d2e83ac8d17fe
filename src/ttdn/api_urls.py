"""The REST API: one router for every app's viewsets, token sign-in for scripts."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ttdn.audit.api import AuditEntryViewSet
from ttdn.directory.api import CountryViewSet, OrganisationViewSet, PersonViewSet
from ttdn.monitoring.api import register as register_press
from ttdn.monitoring.case_api import register as register_cases
from ttdn.plans.api import PlanImportViewSet, PlanViewSet, SectionViewSet, TaskViewSet
from ttdn.reporting.api import (
    CampaignViewSet,
    KpiDefinitionViewSet,
    KpiValueViewSet,
    NotificationViewSet,
    ProvinceDashboardViewSet,
    SubmissionViewSet,
    TaskUpdateViewSet,
)

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("people", PersonViewSet, basename="person")
router.register("countries", CountryViewSet, basename="country")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-imports", PlanImportViewSet, basename="plan-import")
router.register("sections", SectionViewSet, basename="section")
router.register("tasks", TaskViewSet, basename="task")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("task-updates", TaskUpdateViewSet, basename="task-update")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("kpi-definitions", KpiDefinitionViewSet, basename="kpi-definition")
router.register("kpi-values", KpiValueViewSet, basename="kpi-value")
router.register("province-dashboards", ProvinceDashboardViewSet, basename="province-dashboard")
register_press(router)
register_cases(router)

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
