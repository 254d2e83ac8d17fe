"""REST endpoints of execution and reporting: thin adapters over selectors and services.

Objects out of the caller's scope are "not found"; a stale ``version`` on a submission is
409 Conflict with the service's message, and nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ttdn.accounts.permissions import get_scope, readable
from ttdn.directory.models import Organisation
from ttdn.plans.models import Task

from . import selectors, services
from .models import (
    Evidence,
    KpiDefinition,
    KpiValue,
    Notification,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    return exc


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# --- Task updates ---------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "url"]

    def get_url(self, obj: Evidence) -> str:
        return f"/reporting/evidence/{obj.pk}/"


class TaskUpdateSerializer(serializers.ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = TaskUpdate
        fields = [
            "id",
            "task",
            "organisation",
            "author",
            "created_at",
            "happened_on",
            "status",
            "progress",
            "narrative",
            "links",
            "figures",
            "is_lead",
            "evidence",
        ]
        read_only_fields = fields


class TaskUpdateCreateSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    organisation = serializers.IntegerField()
    narrative = serializers.CharField()
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False, default="")
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    happened_on = serializers.DateField(required=False)
    links = serializers.ListField(child=serializers.URLField(), required=False, default=list)
    figures = serializers.DictField(child=serializers.DecimalField(14, 2), required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class TaskUpdateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Progress updates of one task (``?task=<id>``, required); create one (JSON, or
    multipart with ``files``). The lead's update moves the task's status."""

    serializer_class = TaskUpdateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[TaskUpdate]:
        task_id = self.request.query_params.get("task", "")
        if not task_id.isdigit():
            raise exceptions.ValidationError({"task": ["Give ?task=<id>."]})
        task = selectors.access_task_execution(self.request.user, int(task_id))
        return selectors.task_update_list(task)

    @extend_schema(parameters=[OpenApiParameter("task", int, required=True)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TaskUpdateCreateSerializer, responses={201: TaskUpdateSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = TaskUpdateCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        task = selectors.access_task_execution(request.user, d["task"])
        agencies = {a.pk: a for a in selectors.reporting_agencies(request.user, task)}
        org = agencies.get(d["organisation"])
        if org is None:
            raise Http404
        try:
            update = services.task_update_with_evidence(
                actor=request.user,
                task=task,
                organisation=org,
                files=d.get("files") or [],
                narrative=d["narrative"],
                status=d.get("status") or "",
                progress=d.get("progress"),
                happened_on=d.get("happened_on"),
                links=d.get("links") or [],
                figures=d.get("figures") or {},
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        return Response(TaskUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


# --- Notifications --------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications (``?unread=1`` for unread only); mark one or all read."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread", "") in ("1", "true")
        return selectors.notification_list(user=self.request.user, unread=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        n = get_object_or_404(Notification, pk=pk, user=request.user)
        services.notification_mark_read(actor=request.user, notification=n)
        n.refresh_from_db()
        return Response(NotificationSerializer(n).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_read(actor=request.user)})


# --- Campaigns and submissions --------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    completeness = serializers.SerializerMethodField()

    class Meta:
        model = ReportCampaign
        fields = [
            "id",
            "owner",
            "scope",
            "title",
            "year",
            "period_start",
            "period_end",
            "due",
            "status",
            "instructions",
            "kpis",
            "completeness",
        ]
        read_only_fields = fields

    def get_completeness(self, obj: ReportCampaign) -> dict[str, int] | None:
        if not self.context.get("with_completeness"):
            return None
        return selectors.completeness(obj)


class CampaignCreateSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    scope = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    due = serializers.DateField()
    agencies = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    kpis = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns of the caller's province and those asking the caller's agencies to report;
    retrieve includes completeness; create opens one (provincial coordinators)."""

    serializer_class = CampaignSerializer

    def get_queryset(self) -> QuerySet[ReportCampaign]:
        return selectors.campaign_index(user=self.request.user).order_by("-year", "-due", "-id")

    def get_object(self) -> ReportCampaign:
        return selectors.access_campaign(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = CampaignSerializer(self.get_object(), context={"with_completeness": True})
        return Response(ser.data)

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = CampaignCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        province = selectors.managed_provinces(request.user).filter(pk=d["scope"]).first()
        if province is None:
            raise exceptions.PermissionDenied()
        owner = Organisation.objects.filter(pk=d["owner"], path__startswith=province.path).first()
        if owner is None:
            raise exceptions.ValidationError({"owner": ["Not an organisation of the province."]})
        agencies = list(Organisation.objects.filter(pk__in=d["agencies"]))
        if len(agencies) != len(set(d["agencies"])):
            raise exceptions.ValidationError({"agencies": ["Unknown organisation."]})
        try:
            campaign = services.campaign_open(
                actor=request.user,
                owner=owner,
                scope=province,
                title=d["title"],
                year=d["year"],
                due=d["due"],
                agencies=agencies,
                period_start=d.get("period_start"),
                period_end=d.get("period_end"),
                kpis=KpiDefinition.objects.filter(pk__in=d["kpis"]),
                instructions=d["instructions"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        data = CampaignSerializer(campaign, context={"with_completeness": True}).data
        return Response(data, status=status.HTTP_201_CREATED)


class SubmissionSerializer(serializers.ModelSerializer):
    kpi_values = serializers.SerializerMethodField()
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReportSubmission
        fields = [
            "id",
            "campaign",
            "agency",
            "status",
            "narrative",
            "difficulties",
            "proposals",
            "task_results",
            "submitted_at",
            "return_reason",
            "version",
            "updated_at",
            "is_late",
            "kpi_values",
        ]
        read_only_fields = fields

    def get_kpi_values(self, obj: ReportSubmission) -> dict[str, str]:
        codes = dict(obj.campaign.kpis.values_list("pk", "code"))
        return {
            codes[k]: str(v) for k, v in selectors.submission_kpi_values(obj).items() if k in codes
        }


class TaskResultSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Task.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    result = serializers.CharField(required=False, allow_blank=True, default="")


class SubmissionUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    narrative = serializers.CharField(required=False, allow_blank=True)
    difficulties = serializers.CharField(required=False, allow_blank=True)
    proposals = serializers.CharField(required=False, allow_blank=True)
    task_results = TaskResultSerializer(many=True, required=False)
    kpis = serializers.DictField(
        child=serializers.DecimalField(14, 2, allow_null=True),
        required=False,
        help_text="KPI code → value",
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class ReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SubmissionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One agency's report: PATCH with the ``version`` read (409 if someone saved since),
    submit, and review by the focal department."""

    serializer_class = SubmissionSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ReportSubmission]:
        return ReportSubmission.objects.none()

    def get_object(self) -> ReportSubmission:
        return selectors.access_submission(self.request.user, self.kwargs["pk"])

    def _writable(self, sub: ReportSubmission) -> None:
        if not get_scope(self.request.user).can_write_path(sub.agency.path):
            raise Http404

    @extend_schema(request=SubmissionUpdateSerializer, responses=SubmissionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sub = self.get_object()
        self._writable(sub)
        ser = SubmissionUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        version = d.pop("version")
        kpi_codes = d.pop("kpis", {}) or {}
        defs = {k.code: k for k in sub.campaign.kpis.all()}
        unknown = set(kpi_codes) - set(defs)
        if unknown:
            raise exceptions.ValidationError({"kpis": [f"Not asked for: {', '.join(unknown)}"]})
        kpis: dict[KpiDefinition, Decimal | None] = {defs[c]: v for c, v in kpi_codes.items()}
        if "task_results" in d:
            d["task_results"] = [dict(x) for x in d["task_results"]]
        try:
            sub = services.submission_update(
                actor=request.user, submission=sub, expected_version=version, kpis=kpis, **d
            )
        except services.ConcurrentEditError as exc:
            raise Conflict(exc.message) from exc
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        return Response(SubmissionSerializer(sub).data)

    @extend_schema(request=VersionSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        sub = self.get_object()
        self._writable(sub)
        ser = VersionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            sub = services.submission_submit(
                actor=request.user, submission=sub, expected_version=ser.validated_data["version"]
            )
        except services.ConcurrentEditError as exc:
            raise Conflict(exc.message) from exc
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        return Response(SubmissionSerializer(sub).data)

    @extend_schema(request=ReviewSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        sub = self.get_object()
        if not selectors.can_manage_campaign(request.user, sub.campaign):
            raise Http404
        ser = ReviewSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            sub = services.submission_review(
                actor=request.user,
                submission=sub,
                accept=ser.validated_data["accept"],
                reason=ser.validated_data["reason"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        return Response(SubmissionSerializer(sub).data)


# --- KPIs -----------------------------------------------------------------------------------


class KpiDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiDefinition
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "aggregation",
            "level",
            "description",
            "active",
        ]
        read_only_fields = fields


class KpiDefinitionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = KpiDefinitionSerializer
    queryset = KpiDefinition.objects.order_by("position", "code")


class KpiValueSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="definition.code", read_only=True)

    class Meta:
        model = KpiValue
        fields = [
            "id",
            "definition",
            "code",
            "organisation",
            "province",
            "year",
            "value",
            "source",
            "submission",
            "updated_at",
        ]
        read_only_fields = fields


class KpiValueWriteSerializer(serializers.Serializer):
    definition = serializers.IntegerField()
    organisation = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    value = serializers.DecimalField(14, 2)


class KpiValueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """KPI values the caller may read (``?year=``, ``?definition=`` id or code,
    ``?province=``); POST sets a value (create or replace, one per definition,
    organisation and year); PUT/PATCH on a value sets its ``value``."""

    serializer_class = KpiValueSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[KpiValue]:
        qs = readable(
            KpiValue.objects.select_related("definition"),
            self.request.user,
            path_lookup="organisation__path",
        )
        p = self.request.query_params
        if p.get("year", "").isdigit():
            qs = qs.filter(year=int(p["year"]))
        d = p.get("definition", "")
        if d:
            qs = qs.filter(definition_id=int(d)) if d.isdigit() else qs.filter(definition__code=d)
        if p.get("province", "").isdigit():
            qs = qs.filter(province_id=int(p["province"]))
        return qs.order_by("definition__position", "organisation_id", "year")

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("definition", str),
            OpenApiParameter("province", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _set(self, definition: KpiDefinition, org: Organisation, year: int, value: Any) -> KpiValue:
        try:
            return services.kpi_set(
                actor=self.request.user,
                definition=definition,
                organisation=org,
                year=year,
                value=value,
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc

    @extend_schema(request=KpiValueWriteSerializer, responses={201: KpiValueSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = KpiValueWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        definition = get_object_or_404(KpiDefinition, pk=d["definition"])
        org = get_object_or_404(Organisation, pk=d["organisation"])
        if not get_scope(request.user).can_read_path(org.path):
            raise Http404
        row = self._set(definition, org, d["year"], d["value"])
        return Response(KpiValueSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KpiValueWriteSerializer(partial=True), responses=KpiValueSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        payload: Any = request.data
        value = payload.get("value")
        if value is None:
            raise exceptions.ValidationError({"value": ["This field is required."]})
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise exceptions.ValidationError({"value": ["A number."]}) from None
        row = self._set(row.definition, row.organisation, row.year, value)
        return Response(KpiValueSerializer(row).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)


# --- Province dashboard ---------------------------------------------------------------------


class ProvinceDashboardViewSet(viewsets.ViewSet):
    """The province dashboard's figures as JSON (``?year=``, this year by default)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="Province id"),
            OpenApiParameter("year", int),
        ],
        responses={200: dict},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        province = selectors.access_province(request.user, pk)
        today = dt.date.today()
        y = request.query_params.get("year", "")
        year = int(y) if y.isdigit() else today.year
        data = selectors.dashboard_data(province, year, today)
        kpi = data["kpi"]
        return Response(
            {
                "province": {"id": province.pk, "name": province.name},
                "year": year,
                "status_counts": data["status_counts"],
                "completion_by_agency": [
                    {
                        "organisation": c.organisation_id,
                        "name": c.name,
                        "total": c.total,
                        "done": c.done,
                        "overdue": c.overdue,
                    }
                    for c in data["completion"]
                ],
                "overdue_trend": [
                    {"month": m.strftime("%Y-%m"), "overdue": n} for m, n in data["trend"]
                ],
                "kpi": {
                    "definitions": [d.code for d in kpi.definitions],
                    "rows": [
                        {"agency": name, "values": [None if v is None else str(v) for v in vals]}
                        for name, vals in kpi.rows
                    ],
                    "totals": [None if a.value is None else str(a.value) for a in kpi.totals],
                },
                "campaigns": [
                    {"id": c.pk, "title": c.title, "due": c.due, **n} for c, n in data["campaigns"]
                ],
            }
        )
