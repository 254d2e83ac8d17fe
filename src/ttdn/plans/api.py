"""REST endpoints for plans, imports, sections and tasks: thin adapters over selectors and
services. Objects out of the caller's scope are "not found"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ttdn.directory.models import Organisation

from . import export, selectors, services
from .models import Plan, PlanImport, PlanVersion, Section, Task, TaskAgency
from .parsing import DocumentError


def _translate_errors(exc: Exception) -> Exception:
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, DocumentError):
        return exceptions.ValidationError({"file": [exc.message]})
    return exc


class TaskAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskAgency
        fields = ["role", "name_as_written", "organisation", "confidence", "is_collective"]


class TaskSerializer(serializers.ModelSerializer):
    agencies = TaskAgencySerializer(many=True, read_only=True)
    section: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "section",
            "summary",
            "deadline_text",
            "due",
            "recurrence",
            "status",
            "agencies",
        ]
        read_only_fields = [f for f in fields if f != "status"]


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.choices)


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "plan", "number", "heading", "position"]


class PlanSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["number", "heading"]


class PlanSerializer(serializers.ModelSerializer):
    sections = PlanSectionSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "kind",
            "issuer",
            "title",
            "number",
            "year",
            "issued_date",
            "status",
            "replaces",
            "report_deadline",
            "legal_bases",
            "sections",
        ]


class PlanVersionSerializer(serializers.ModelSerializer):
    created_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = PlanVersion
        fields = ["number", "note", "created_by", "created_at", "data"]


class PlanImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanImport
        fields = [
            "id",
            "organisation",
            "kind",
            "filename",
            "status",
            "issuer",
            "replaces",
            "agency_choices",
            "data",
            "plan",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PlanImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, default=Plan.Kind.PLAN)


class PlanImportUpdateSerializer(serializers.Serializer):
    structure = serializers.JSONField(required=False, help_text="The contract JSON, edited")
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, required=False)
    issuer = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False)
    agency_choices = serializers.DictField(
        child=serializers.IntegerField(allow_null=True, min_value=0), required=False
    )


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plans: published ones for everyone signed in, drafts in the issuer's scope."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        p = self.request.query_params
        year = p.get("year", "")
        issuer = p.get("issuer", "")
        qs = selectors.plan_list(
            user=self.request.user,
            q=p.get("q", ""),
            year=int(year) if year.isdigit() else None,
            status=p.get("status", ""),
            kind=p.get("kind", ""),
        )
        if issuer.isdigit():
            qs = qs.filter(issuer_id=int(issuer))
        return qs.prefetch_related("sections")

    def get_object(self) -> Plan:
        return selectors.access_plan(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("year", int),
            OpenApiParameter("status", str, enum=Plan.Status.values),
            OpenApiParameter("kind", str, enum=Plan.Kind.values),
            OpenApiParameter("issuer", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        plan = selectors.access_plan(request.user, pk, write=True)
        try:
            plan = services.plan_publish_draft(actor=request.user, plan=plan)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate_errors(exc) from exc
        return Response(PlanSerializer(plan).data)

    @extend_schema(responses=PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return Response(PlanVersionSerializer(plan.versions.all(), many=True).data)

    @extend_schema(responses={(200, "application/json"): dict})
    @action(detail=True, methods=["get"], url_path="export-json")
    def export_json(self, request: Request, pk: str | None = None) -> Response:
        return Response(export.plan_data(self.get_object()))

    @extend_schema(responses={(200, export.XLSX_CONTENT_TYPE): bytes})
    @action(detail=True, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        plan = self.get_object()
        resp = HttpResponse(export.plan_xlsx(plan), content_type=export.XLSX_CONTENT_TYPE)
        resp["Content-Disposition"] = (
            f'attachment; filename="{export.export_filename(plan, "xlsx")}"'
        )
        return resp


class PlanImportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Uploaded documents under review: upload (multipart ``file``, ``kind``), edit the
    parsed structure and choices (PATCH), publish."""

    serializer_class = PlanImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[PlanImport]:
        return selectors.plan_import_list(user=self.request.user)

    def get_object(self) -> PlanImport:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return selectors.access_plan_import(self.request.user, self.kwargs["pk"], write=write)

    @extend_schema(request=PlanImportUploadSerializer, responses={201: PlanImportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = PlanImportUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        try:
            if upload.size and upload.size > services.MAX_UPLOAD_BYTES:
                raise services.DocumentTooLarge()
            pi = services.plan_import_create(
                actor=request.user,
                filename=upload.name,
                content=upload.chunks(),
                kind=ser.validated_data["kind"],
            )
        except (DocumentError, DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate_errors(exc) from exc
        return Response(PlanImportSerializer(pi).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanImportUpdateSerializer, responses=PlanImportSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pi = self.get_object()
        ser = PlanImportUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            fields = dict(ser.validated_data)
            if "structure" in fields:
                fields["data"] = fields.pop("structure")
            pi = services.plan_import_update(actor=request.user, plan_import=pi, **fields)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate_errors(exc) from exc
        return Response(PlanImportSerializer(pi).data)

    def perform_destroy(self, instance: PlanImport) -> None:
        try:
            services.plan_import_discard(actor=self.request.user, plan_import=instance)
        except DjangoPermissionDenied as exc:
            raise _translate_errors(exc) from exc

    @extend_schema(request=None, responses={201: PlanSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        pi = self.get_object()
        try:
            plan = services.plan_publish(actor=request.user, plan_import=pi)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate_errors(exc) from exc
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class SectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SectionSerializer

    def get_queryset(self) -> QuerySet[Section]:
        qs = selectors.section_list(user=self.request.user)
        plan = self.request.query_params.get("plan", "")
        return qs.filter(plan_id=int(plan)) if plan.isdigit() else qs


def _date_param(value: str | None) -> Any:
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise exceptions.ValidationError({"date": ["Use YYYY-MM-DD."]}) from None


class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks with the task list's filters; PATCH ``status`` by those who write for the
    plan's issuer or the task's lead agency."""

    serializer_class = TaskSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Task]:
        p = self.request.query_params
        plan = p.get("plan", "")
        org = p.get("organisation", "")
        qs = selectors.task_list(
            user=self.request.user,
            organisation=Organisation.objects.filter(pk=int(org)).first()
            if org.isdigit()
            else None,
            section=p.get("section", ""),
            status=p.get("status", ""),
            due_after=_date_param(p.get("due_after")),
            due_before=_date_param(p.get("due_before")),
            overdue=p.get("overdue", "") in ("1", "true", "on"),
            mine=p.get("mine", "") in ("1", "true", "on"),
            q=p.get("q", ""),
        )
        if plan.isdigit():
            qs = qs.filter(plan_id=int(plan))
        return qs.prefetch_related("agencies")

    def get_object(self) -> Task:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return selectors.access_task(self.request.user, self.kwargs["pk"], write=write)

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", int),
            OpenApiParameter("organisation", int),
            OpenApiParameter("section", str),
            OpenApiParameter("status", str, enum=Task.Status.values),
            OpenApiParameter("due_after", str),
            OpenApiParameter("due_before", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("mine", bool),
            OpenApiParameter("q", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TaskStatusSerializer, responses=TaskSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        ser = TaskStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            task = services.task_set_status(
                actor=request.user, task=task, status=ser.validated_data["status"]
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate_errors(exc) from exc
        return Response(TaskSerializer(task).data)
