"""REST endpoints of response cases: thin adapters over ``cases.py``.

A case out of the caller's scope is 404; a step the caller has no part in is 403; a step
that the case's status does not allow, or a draft saved over a newer version, is 409
Conflict with the service's message (nothing is overwritten).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ttdn.directory.models import Organisation
from ttdn.plans.models import Task
from ttdn.reporting.models import ReportSubmission

from . import cases, selectors
from .models import Case, CaseEvent, EvidenceLink


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _call(fn: Callable[[], Any]) -> Any:
    """Run a service call, answering its refusals in HTTP terms."""
    try:
        return fn()
    except (cases.ConcurrentEditError, cases.CaseStateError) as exc:
        raise Conflict(exc.message) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise exceptions.ValidationError(detail) from exc


# --- serializers ---------------------------------------------------------------------------


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "kind",
            "from_status",
            "to_status",
            "note",
            "step_hours",
            "sla_hours",
        ]
        read_only_fields = fields


class EvidenceLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceLink
        fields = ["id", "case", "item", "task", "submission", "note", "created_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "owner",
            "assigned_to",
            "item",
            "cluster",
            "severity",
            "summary",
            "status",
            "draft",
            "approved_by",
            "published_url",
            "published_note",
            "outcome",
            "outcome_note",
            "opened_by",
            "opened_at",
            "step_started_at",
            "step_due_at",
            "escalated_at",
            "closed_at",
            "version",
            "overdue",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Case) -> bool:
        step = cases.step_report(obj)
        return bool(step and step["overdue"])

    def get_allowed_actions(self, obj: Case) -> list[str]:
        request = self.context.get("request")
        return cases.allowed_actions(request.user, obj) if request is not None else []


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True)
    evidence_links = EvidenceLinkSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events", "evidence_links"]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    owner = serializers.IntegerField(
        required=False, help_text="Organisation in charge; the caller's province by default."
    )
    title = serializers.CharField(max_length=500)
    item = serializers.IntegerField(required=False, allow_null=True)
    cluster = serializers.IntegerField(required=False, allow_null=True)
    severity = serializers.ChoiceField(choices=Case.Severity.choices, default="normal")
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DraftSerializer(serializers.Serializer):
    draft = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="The case version the text was written on.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    note = serializers.CharField()


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PublishSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Case.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AttachSerializer(serializers.Serializer):
    task = serializers.IntegerField(required=False, allow_null=True)
    submission = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("task")) == bool(attrs.get("submission")):
            raise serializers.ValidationError("Give either task or submission.")
        return attrs


class ItemAttachSerializer(AttachSerializer):
    item = serializers.IntegerField()


def _targets(data: dict[str, Any]) -> dict[str, Any]:
    """The task or submission named in an attach payload (unknown id: 400)."""
    if data.get("task"):
        task = Task.objects.select_related("plan", "plan__issuer").filter(pk=data["task"]).first()
        if task is None:
            raise exceptions.ValidationError({"task": ["Unknown task."]})
        return {"task": task}
    sub = ReportSubmission.objects.select_related("agency").filter(pk=data["submission"]).first()
    if sub is None:
        raise exceptions.ValidationError({"submission": ["Unknown report submission."]})
    return {"submission": sub}


# --- viewsets -------------------------------------------------------------------------------


_CASE_RESPONSES = {
    200: CaseDetailSerializer,
    400: OpenApiResponse(description="Invalid payload"),
    403: OpenApiResponse(description="The caller has no part in this step"),
    404: OpenApiResponse(description="No such case in the caller's scope"),
    409: OpenApiResponse(description="Not possible in the case's status, or a stale version"),
}


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rapid-response cases the caller may read (the owner's scope or the assigned
    agency's); open one; take the steps of its workflow. ``allowed_actions`` lists the
    steps the caller may take now."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        p = self.request.query_params
        return cases.case_search(
            self.request.user,
            q=p.get("q", "")[:200],
            status=p.get("status", "") if p.get("status", "") in Case.Status.values else "",
            severity=p.get("severity", "") if p.get("severity", "") in Case.Severity.values else "",
            agency=int(p["agency"]) if p.get("agency", "").isdigit() else None,
            overdue=p.get("overdue", "") in ("1", "true"),
        )

    def get_object(self) -> Case:
        return cases.access_case(self.request.user, self.kwargs["pk"])

    def _detail(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        case = cases.access_case(self.request.user, case.pk)
        return Response(
            CaseDetailSerializer(case, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Title contains (diacritics ignored)"),
            OpenApiParameter("status", str, enum=Case.Status.values),
            OpenApiParameter("severity", str, enum=Case.Severity.values),
            OpenApiParameter("agency", int, description="Assigned agency id"),
            OpenApiParameter("overdue", bool),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    @extend_schema(
        request=CaseCreateSerializer, responses={**_CASE_RESPONSES, 201: CaseDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        if d.get("owner"):
            owner = Organisation.objects.filter(pk=d["owner"]).first()
            if owner is None:
                raise exceptions.ValidationError({"owner": ["Unknown organisation."]})
        else:
            owner = cases.default_owner(request.user)
            if owner is None:
                raise exceptions.PermissionDenied()
        item = selectors.access_item(request.user, d["item"]) if d.get("item") else None
        cluster = selectors.access_cluster(request.user, d["cluster"]) if d.get("cluster") else None
        case = _call(
            lambda: cases.case_open(
                request.user,
                owner=owner,
                title=d["title"],
                item=item,
                cluster=cluster,
                severity=d["severity"],
                summary=d["summary"],
            )
        )
        return self._detail(case, status.HTTP_201_CREATED)

    def _step(self, request: Request, serializer: type[serializers.Serializer], fn: Any) -> Any:
        case = self.get_object()
        ser = serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return _call(lambda: fn(case, ser.validated_data))

    @extend_schema(request=AssignSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        def run(case: Case, d: dict[str, Any]) -> Case:
            agency = Organisation.objects.filter(pk=d["agency"]).first()
            if agency is None:
                raise exceptions.ValidationError({"agency": ["Unknown organisation."]})
            return cases.case_assign(request.user, case, agency=agency, note=d["note"])

        return self._detail(self._step(request, AssignSerializer, run))

    @extend_schema(request=DraftSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def draft(self, request: Request, pk: str | None = None) -> Response:
        case = self._step(
            request,
            DraftSerializer,
            lambda c, d: cases.case_save_draft(
                request.user, c, draft=d["draft"], version=d["version"]
            ),
        )
        return self._detail(case)

    @extend_schema(request=None, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        return self._detail(_call(lambda: cases.case_submit(request.user, case)))

    @extend_schema(request=NoteSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        case = self._step(
            request, NoteSerializer, lambda c, d: cases.case_approve(request.user, c, d["note"])
        )
        return self._detail(case)

    @extend_schema(request=ReturnSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_draft(self, request: Request, pk: str | None = None) -> Response:
        case = self._step(
            request, ReturnSerializer, lambda c, d: cases.case_return(request.user, c, d["reason"])
        )
        return self._detail(case)

    @extend_schema(request=PublishSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        case = self._step(
            request,
            PublishSerializer,
            lambda c, d: cases.case_publish(request.user, c, url=d["url"], note=d["note"]),
        )
        return self._detail(case)

    @extend_schema(request=CloseSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        case = self._step(
            request,
            CloseSerializer,
            lambda c, d: cases.case_close(request.user, c, outcome=d["outcome"], note=d["note"]),
        )
        return self._detail(case)

    @extend_schema(request=CommentSerializer, responses=_CASE_RESPONSES)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        event = self._step(
            request, CommentSerializer, lambda c, d: cases.case_comment(request.user, c, d["note"])
        )
        return self._detail(event.case)

    @extend_schema(
        request=AttachSerializer,
        responses={
            201: EvidenceLinkSerializer,
            403: OpenApiResponse(description="The caller does not write for the target"),
            404: OpenApiResponse(description="No such case in the caller's scope"),
        },
    )
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: str | None = None) -> Response:
        link = self._step(
            request,
            AttachSerializer,
            lambda c, d: cases.evidence_attach(request.user, case=c, note=d["note"], **_targets(d)),
        )
        return Response(EvidenceLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class PressEvidenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Evidence links of a case (``?case=``) or an item (``?item=``); POST attaches a press
    item to a plan task or a report submission (cases: ``/press-cases/{id}/attach/``)."""

    serializer_class = EvidenceLinkSerializer

    def get_queryset(self) -> QuerySet[EvidenceLink]:
        p = self.request.query_params
        if p.get("case", "").isdigit():
            case = cases.access_case(self.request.user, int(p["case"]))
            return EvidenceLink.objects.filter(case=case).order_by("pk")
        if p.get("item", "").isdigit():
            item = selectors.access_item(self.request.user, int(p["item"]))
            return EvidenceLink.objects.filter(item=item).order_by("pk")
        raise exceptions.ValidationError({"case": ["Give ?case=<id> or ?item=<id>."]})

    @extend_schema(parameters=[OpenApiParameter("case", int), OpenApiParameter("item", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ItemAttachSerializer, responses={201: EvidenceLinkSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = ItemAttachSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            item = selectors.access_item(request.user, d["item"])
        except Http404:
            raise exceptions.NotFound() from None
        link = _call(
            lambda: cases.evidence_attach(request.user, item=item, note=d["note"], **_targets(d))
        )
        return Response(EvidenceLinkSerializer(link).data, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    """Add the case endpoints to the project's API router (``ttdn/api_urls.py``)."""
    router.register("press-cases", CaseViewSet, basename="press-case")
    router.register("press-evidence", PressEvidenceViewSet, basename="press-evidence")
