"""REST endpoints of press monitoring: thin adapters over ``selectors``, ``services``,
``search`` and ``pipeline``.

Reads are scoped exactly like the pages (``selectors.readable_*``; an object named by id
comes through ``selectors.access_*`` and is "not found" out of scope). Writes go through
the service functions: their ``PermissionDenied`` is 403 and their ``ValidationError`` 400
with the field errors. ``register(router)`` adds the viewsets to the project's router
(``ttdn/api_urls.py``); response cases have their own module, ``case_api.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation

from . import selectors, services
from .models import (
    Alert,
    AlertRule,
    Cluster,
    FetchRun,
    Item,
    SavedSearch,
    Source,
    Topic,
    WatchTerm,
)

# The same limit as document uploads: a social-media export is a CSV or JSONL file.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    return exc


@contextmanager
def _service_errors() -> Iterator[None]:
    """Service errors as API answers: 403 for a refusal, 400 with the field errors."""
    try:
        yield
    except (DjangoValidationError, DjangoPermissionDenied) as exc:
        raise _translate(exc) from exc


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise exceptions.ValidationError({name: [_("Enter a whole number.")]})
    return int(value)


def _date_param(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _organisation(pk: Any, field: str) -> Organisation:
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise exceptions.ValidationError({field: [_("Unknown organisation.")]})
    return org


class _ServiceWriteMixin(viewsets.GenericViewSet):
    """Create, update and partial update through a service: a write serializer validates,
    ``owner`` (an organisation id) is resolved, the service checks the caller's scope and
    writes the audit log; the answer is the read serializer's view of the object."""

    write_serializer_class: type[serializers.Serializer[Any]]

    def service_create(self, actor: Any, fields: dict[str, Any]) -> Any:
        raise NotImplementedError

    def service_update(self, actor: Any, obj: Any, changes: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _validated(self, partial: bool) -> dict[str, Any]:
        ser = self.write_serializer_class(data=self.request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        fields = dict(ser.validated_data)
        if "owner" in fields:
            fields["owner"] = _organisation(fields["owner"], "owner")
        return fields

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = self._validated(partial=False)
        with _service_errors():
            obj = self.service_create(request.user, fields)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def _update(self, request: Request, partial: bool) -> Response:
        obj = self.get_object()
        changes = self._validated(partial)
        with _service_errors():
            obj = self.service_update(request.user, obj, changes)
        return Response(self.get_serializer(obj).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=True)


def _write_schema(write: type[serializers.Serializer[Any]], read: type[Any]) -> Any:
    """OpenAPI of :class:`_ServiceWriteMixin`'s three methods."""
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read}),
        update=extend_schema(request=write, responses=read),
        partial_update=extend_schema(request=write(partial=True), responses=read),
    )


DATE_PARAMS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (YYYY-MM-DD)"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to this day, included"),
]


# --- Sources -----------------------------------------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "owner",
            "owner_name",
            "is_foreign",
            "language",
            "interval_minutes",
            "requests_per_minute",
            "active",
            "health",
            "last_fetched_at",
            "last_ok_at",
            "last_error",
            "last_error_code",
            "consecutive_failures",
            "next_fetch_at",
            "created_at",
        ]
        read_only_fields = fields


class SourceWriteSerializer(serializers.Serializer):
    """A source's settings; the address is checked by the service (public hosts only)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, default=Source.Kind.FEED)
    url = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(help_text="Organisation that monitors the source")
    is_foreign = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    interval_minutes = serializers.IntegerField(min_value=5, required=False, default=60)
    requests_per_minute = serializers.IntegerField(
        min_value=1, max_value=600, required=False, default=30
    )
    active = serializers.BooleanField(required=False, default=True)


class FetchRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = FetchRun
        fields = [
            "id",
            "started_at",
            "finished_at",
            "outcome",
            "found",
            "new_items",
            "error_code",
            "error",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A social-media export: CSV or JSONL")


class ImportResultSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    skipped = serializers.IntegerField()


class QueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


def _import_write() -> Any:
    """The one write path of an import (scope check, ``pipeline.import_file``, audit row,
    processing job after commit), shared with the source page."""
    write = getattr(services, "source_import_file", None)
    if write is None:  # still next to the page that introduced it
        from .views import source_import_file as write
    return write


@_write_schema(SourceWriteSerializer, SourceSerializer)
class SourceViewSet(_ServiceWriteMixin, viewsets.ModelViewSet):
    """Press sources (feeds, sitemaps, listing pages, imported social-media files) of the
    organisations the caller reads. Health fields are read-only; pause, resume, fetch now
    and import (multipart ``file``, sources of kind ``file``) are actions."""

    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Source]:
        qs = selectors.readable_sources(self.request.user)
        p = self.request.query_params
        if p.get("kind") in Source.Kind.values:
            qs = qs.filter(kind=p["kind"])
        if p.get("health") in Source.Health.values:
            qs = qs.filter(health=p["health"])
        if p.get("active") in ("1", "true", "0", "false"):
            qs = qs.filter(active=p["active"] in ("1", "true"))
        if p.get("is_foreign") in ("1", "true", "0", "false"):
            qs = qs.filter(is_foreign=p["is_foreign"] in ("1", "true"))
        owner = _int_param(self.request, "owner")
        if owner is not None:
            qs = qs.filter(owner_id=owner)
        q = p.get("q", "").strip()
        if q:
            qs = qs.filter(name__icontains=q) | qs.filter(url__icontains=q)
        return qs.order_by("name", "pk")

    def get_object(self) -> Source:
        return selectors.access_source(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Source.Kind.values),
            OpenApiParameter("health", str, enum=Source.Health.values),
            OpenApiParameter("active", bool),
            OpenApiParameter("is_foreign", bool),
            OpenApiParameter("owner", int, description="Organisation id"),
            OpenApiParameter("q", str, description="Part of the name or address"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def service_create(self, actor: Any, fields: dict[str, Any]) -> Source:
        return services.source_create(actor=actor, **fields)

    def service_update(self, actor: Any, obj: Source, changes: dict[str, Any]) -> Source:
        return services.source_update(actor=actor, source=obj, **changes)

    def perform_destroy(self, instance: Source) -> None:
        with _service_errors():
            services.source_delete(actor=self.request.user, source=instance)

    def _set_active(self, active: bool) -> Response:
        source = self.get_object()
        with _service_errors():
            source = services.source_update(actor=self.request.user, source=source, active=active)
        return Response(SourceSerializer(source).data)

    @extend_schema(request=None, responses=SourceSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        return self._set_active(False)

    @extend_schema(request=None, responses=SourceSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        return self._set_active(True)

    @extend_schema(request=None, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"], url_path="fetch-now")
    def fetch_now(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        if source.kind == Source.Kind.FILE:
            raise exceptions.ValidationError(
                {"kind": [_("An imported-file source is not fetched; import a file instead.")]}
            )
        if not source.active:
            raise exceptions.ValidationError({"active": [_("The source is paused.")]})
        with _service_errors():
            services.source_fetch_now(actor=request.user, source=source)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=FetchRunSerializer(many=True))
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The last 50 collections: the source's health history."""
        source = self.get_object()
        return Response(FetchRunSerializer(source.runs.all()[:50], many=True).data)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_file(self, request: Request, pk: str | None = None) -> Response:
        """Items from a social-media export (CSV/JSONL) into a source of kind ``file``;
        analysis follows on the job backend."""
        from .fetch.errors import FetchError

        source = self.get_object()
        if not get_scope(request.user).can_write_path(source.owner.path):
            raise exceptions.PermissionDenied(_("You may not import into this source."))
        if source.kind != Source.Kind.FILE:
            raise exceptions.ValidationError(
                {"file": [_("Files are imported into sources of the kind imported file.")]}
            )
        ser = ImportUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        if upload.size and upload.size > MAX_IMPORT_BYTES:
            raise exceptions.ValidationError({"file": [_("The file is larger than 20 MB.")]})
        try:
            new, skipped = _import_write()(
                actor=request.user, source=source, content=upload.read(), filename=upload.name or ""
            )
        except FetchError as exc:
            raise exceptions.ValidationError({"file": [exc.message]}) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ValidationError(
                {"file": [_("The file could not be read: %(e)s") % {"e": exc}]}
            ) from exc
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _translate(exc) from exc
        return Response({"new": new, "skipped": skipped}, status=status.HTTP_201_CREATED)


# --- Items, stories, search ------------------------------------------------------------------


class MentionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    field = serializers.ChoiceField(choices=[("title", "title"), ("text", "text")])
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class ItemSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    is_foreign = serializers.BooleanField(source="source.is_foreign", read_only=True)
    provinces = serializers.ListField(child=serializers.CharField(), read_only=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)
    mentions = MentionSerializer(many=True, read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "source",
            "source_name",
            "is_foreign",
            "kind",
            "url",
            "title",
            "author",
            "published_at",
            "collected_at",
            "lang",
            "provinces",
            "topics",
            "sentiment",
            "sentiment_score",
            "mentions",
            "cluster",
            "duplicate_of",
        ]
        read_only_fields = fields


class ItemDetailSerializer(ItemSerializer):
    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "text", "stage"]
        read_only_fields = fields


ITEM_FILTERS = [
    *DATE_PARAMS,
    OpenApiParameter("source", int),
    OpenApiParameter("lang", str, description="ISO 639-1 code"),
    OpenApiParameter("topic", str, description="Topic code"),
    OpenApiParameter("sentiment", str, enum=Item.Sentiment.values),
    OpenApiParameter("province", str, description="Current province name, e.g. Tuyên Quang"),
    OpenApiParameter("cluster", int, description="Story id"),
    OpenApiParameter("kind", str, enum=Item.Kind.values),
    OpenApiParameter("is_foreign", bool, description="Foreign outlets only (or domestic)"),
]


def filter_items(qs: QuerySet[Item], request: Request) -> QuerySet[Item]:
    """The list filters shared by items and stories (the stream's filters and dates)."""
    p = request.query_params
    start, end = _date_param(request, "date_from"), _date_param(request, "date_to")
    if start or end:
        lo = _day_start(start) if start else _day_start(dt.date(1970, 1, 2))
        hi = (
            _day_start(end + dt.timedelta(days=1)) if end else timezone.now() + dt.timedelta(days=1)
        )
        qs = selectors.items_between(qs, lo, hi)
    filters: dict[str, Any] = {
        "source": _int_param(request, "source"),
        "lang": p.get("lang", "").strip(),
        "topic": p.get("topic", "").strip(),
        "province": p.get("province", "").strip(),
        "sentiment": p.get("sentiment") if p.get("sentiment") in Item.Sentiment.values else "",
        "kind": p.get("kind") if p.get("kind") in Item.Kind.values else "",
    }
    qs = selectors.filter_items(qs, **filters)
    cluster = _int_param(request, "cluster")
    if cluster is not None:
        qs = qs.filter(cluster_id=cluster)
    if p.get("is_foreign") in ("1", "true", "0", "false"):
        qs = qs.filter(source__is_foreign=p["is_foreign"] in ("1", "true"))
    return qs


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Analysed press items of the sources the caller reads, newest first, with the
    places and terms found in them (``mentions``: offsets into the title or text)."""

    serializer_class = ItemSerializer

    def get_queryset(self) -> QuerySet[Item]:
        return filter_items(selectors.readable_items(self.request.user), self.request).order_by(
            "-sort_key"
        )

    def get_object(self) -> Item:
        return selectors.access_item(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ItemDetailSerializer if self.action == "retrieve" else ItemSerializer

    @extend_schema(parameters=ITEM_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class StorySerializer(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    provinces = serializers.ListField(child=serializers.CharField(), read_only=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Cluster
        fields = [
            "id",
            "title",
            "first_seen",
            "last_seen",
            "size",
            "languages",
            "provinces",
            "topics",
            "sentiment",
        ]
        read_only_fields = fields


class StoryItemSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    is_foreign = serializers.BooleanField(source="source.is_foreign", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "title",
            "url",
            "source",
            "source_name",
            "is_foreign",
            "lang",
            "published_at",
            "sentiment",
        ]
        read_only_fields = fields


class StoryDetailSerializer(StorySerializer):
    items = serializers.SerializerMethodField()
    outlets = serializers.SerializerMethodField()

    class Meta(StorySerializer.Meta):
        fields = [*StorySerializer.Meta.fields, "outlets", "items"]
        read_only_fields = fields

    def _items(self, obj: Cluster) -> list[Item]:
        if not hasattr(obj, "_readable_items"):
            user = self.context["request"].user
            obj._readable_items = list(  # type: ignore[attr-defined]
                selectors.readable_items(user).filter(cluster=obj).order_by("-sort_key")[:200]
            )
        return obj._readable_items  # type: ignore[attr-defined]

    @extend_schema_field(StoryItemSerializer(many=True))
    def get_items(self, obj: Cluster) -> list[dict[str, Any]]:
        return list(StoryItemSerializer(self._items(obj), many=True).data)

    def get_outlets(self, obj: Cluster) -> list[str]:
        return sorted({i.source.name for i in self._items(obj)})


class StoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Stories (the same story across outlets and languages) with at least one item the
    caller reads; filters apply to those items. Newest first."""

    serializer_class = StorySerializer

    def get_queryset(self) -> QuerySet[Cluster]:
        items = filter_items(selectors.readable_items(self.request.user), self.request)
        return Cluster.objects.filter(pk__in=items.values("cluster_id")).order_by(
            "-last_seen", "-pk"
        )

    def get_object(self) -> Cluster:
        return selectors.access_cluster(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return StoryDetailSerializer if self.action == "retrieve" else StorySerializer

    @extend_schema(parameters=ITEM_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


def _many(child: serializers.Field, **kwargs: Any) -> serializers.ListField:
    """A filter that may be repeated (``?lang=vi&lang=en``: any of them)."""
    return serializers.ListField(child=child, required=False, default=list, **kwargs)


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    # a field named "source" shadows Field.source in the stubs; DRF itself allows it
    source = _many(serializers.IntegerField(min_value=1))  # type: ignore[assignment]
    lang = _many(serializers.CharField(max_length=8))
    topic = _many(serializers.CharField(max_length=64))
    sentiment = _many(serializers.ChoiceField(choices=Item.Sentiment.choices))
    province = _many(serializers.CharField(max_length=100))
    cluster = _many(serializers.IntegerField(min_value=1))
    kind = _many(serializers.ChoiceField(choices=Item.Kind.choices))
    order = serializers.ChoiceField(
        choices=[("relevance", "relevance"), ("newest", "newest")],
        required=False,
        default="",
        allow_blank=True,
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)
    per_page = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class SearchResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Exact unless total_is_estimate: then at least")
    total_is_estimate = serializers.BooleanField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    terms = serializers.ListField(
        child=serializers.CharField(), help_text="Folded query terms, for highlighting"
    )
    results = ItemSerializer(many=True)


_SEARCH_HELP = {
    "q": "Words, a quoted phrase, -excluded; diacritics and case are optional",
    "date_from": "From this day (YYYY-MM-DD)",
    "date_to": "Up to this day, included",
    "source": "Source id (repeat for any of several)",
    "lang": "ISO 639-1 code (repeatable)",
    "topic": "Topic code (repeatable)",
    "sentiment": "Sentiment (repeatable)",
    "province": "Current province name, e.g. Tuyên Quang (repeatable)",
    "cluster": "Story id (repeatable)",
    "kind": "Item kind (repeatable)",
    "order": "relevance (the default with q) or newest",
    "per_page": "At most 100",
}


def _search_parameters() -> list[OpenApiParameter]:
    out = []
    for name, fld in SearchParamsSerializer().fields.items():
        many = isinstance(fld, serializers.ListField)
        inner = fld.child if isinstance(fld, serializers.ListField) else fld
        kind: Any = {
            serializers.DateField: OpenApiTypes.DATE,
            serializers.IntegerField: OpenApiTypes.INT,
        }.get(type(inner), OpenApiTypes.STR)
        enum = None
        if isinstance(inner, serializers.ChoiceField):
            enum = [c for c in inner.choices if c]
        out.append(
            OpenApiParameter(
                name, kind, enum=enum, many=many, description=_SEARCH_HELP.get(name, "")
            )
        )
    return out


class SearchViewSet(viewsets.GenericViewSet):
    """Full-text search of the items the caller reads (Vietnamese with or without
    diacritics, English, Chinese…), with the filters of the search page. Repeated
    filters match any of their values; different filters must all match."""

    serializer_class = SearchResultSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Item]:
        return selectors.readable_items(self.request.user)

    @extend_schema(parameters=_search_parameters(), responses=SearchResultSerializer)
    def list(self, request: Request) -> Response:
        from . import search

        ser = SearchParamsSerializer(data=request.query_params)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        q = d["q"].strip()
        query = search.SearchQuery(
            text=q,
            date_from=d["date_from"],
            date_to=d["date_to"],
            sources=d["source"],
            langs=d["lang"],
            topics=d["topic"],
            sentiments=d["sentiment"],
            provinces=d["province"],
            clusters=d["cluster"],
            kinds=d["kind"],
            order="relevance" if d["order"] == "relevance" or (q and not d["order"]) else "newest",
            page=d["page"],
            per_page=d["per_page"],
        )
        page, items = search.search_items(query, request.user)
        return Response(
            {
                "total": page.total,
                "total_is_estimate": page.total_is_estimate,
                "page": page.page,
                "per_page": page.per_page,
                "has_next": page.has_next,
                "terms": search.highlight_terms(q) if q else [],
                "results": ItemSerializer(items, many=True).data,
            }
        )


# --- Alerts and rules ---------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_name", "message", "item", "cluster", "created_at"]
        read_only_fields = fields


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts raised by the rules the caller reads, newest first."""

    serializer_class = AlertSerializer

    def get_queryset(self) -> QuerySet[Alert]:
        qs = selectors.readable_alerts(self.request.user)
        rule = _int_param(self.request, "rule")
        if rule is not None:
            qs = qs.filter(rule_id=rule)
        since = _date_param(self.request, "since")
        if since:
            qs = qs.filter(created_at__gte=_day_start(since))
        return qs.order_by("-created_at", "-pk")

    def get_object(self) -> Alert:
        try:
            return self.get_queryset().get(pk=int(self.kwargs["pk"]))
        except (Alert.DoesNotExist, ValueError, TypeError):
            raise Http404 from None

    @extend_schema(
        parameters=[
            OpenApiParameter("rule", int),
            OpenApiParameter("since", OpenApiTypes.DATE),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class AlertRuleSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "owner",
            "owner_name",
            "name",
            "kind",
            "topic",
            "keyword",
            "province",
            "spike_factor",
            "spike_min_items",
            "email",
            "active",
            "created_at",
        ]
        read_only_fields = fields


class AlertRuleWriteSerializer(serializers.Serializer):
    owner = serializers.IntegerField(help_text="Organisation whose sources the rule watches")
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AlertRule.Kind.choices)
    topic = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    keyword = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    province = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    spike_factor = serializers.FloatField(required=False, default=3.0)
    spike_min_items = serializers.IntegerField(min_value=1, required=False, default=5)
    email = serializers.BooleanField(required=False, default=True)
    active = serializers.BooleanField(required=False, default=True)


@_write_schema(AlertRuleWriteSerializer, AlertRuleSerializer)
class AlertRuleViewSet(_ServiceWriteMixin, viewsets.ModelViewSet):
    """Alert rules of the organisations the caller reads; written in the caller's scope."""

    serializer_class = AlertRuleSerializer
    write_serializer_class = AlertRuleWriteSerializer

    def get_queryset(self) -> QuerySet[AlertRule]:
        qs = selectors.readable_rules(self.request.user)
        if self.request.query_params.get("kind") in AlertRule.Kind.values:
            qs = qs.filter(kind=self.request.query_params["kind"])
        owner = _int_param(self.request, "owner")
        if owner is not None:
            qs = qs.filter(owner_id=owner)
        return qs.order_by("name", "pk")

    def get_object(self) -> AlertRule:
        return selectors.access_rule(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=AlertRule.Kind.values),
            OpenApiParameter("owner", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def service_create(self, actor: Any, fields: dict[str, Any]) -> AlertRule:
        return services.alert_rule_create(actor=actor, **fields)

    def service_update(self, actor: Any, obj: AlertRule, changes: dict[str, Any]) -> AlertRule:
        return services.alert_rule_update(actor=actor, rule=obj, **changes)

    def perform_destroy(self, instance: AlertRule) -> None:
        with _service_errors():
            services.alert_rule_delete(actor=self.request.user, rule=instance)


# --- Topics, watched terms, saved searches ------------------------------------------------


def _keyword_group(help_text: str, *, write: bool = False) -> serializers.DictField:
    """A topic's keyword group: ``{language code: [keyword, ...]}``."""
    words = serializers.ListField(child=serializers.CharField(allow_blank=write))
    if write:
        return serializers.DictField(
            child=words, required=False, help_text=f"Language code → {help_text} (replaces them)"
        )
    return serializers.DictField(
        child=words, read_only=True, help_text=f"Language code → {help_text}"
    )


_GROUP_HELP = {
    "keywords": "keywords (weight 1)",
    "strong_keywords": "strong keywords (weight 3: one is enough in a short item)",
    "weak_keywords": "context words (weight 0.4)",
    "negative_keywords": "exclusions: uses of the words that are not the topic (weight -2)",
}


class TopicSerializer(serializers.ModelSerializer):
    keywords = _keyword_group(_GROUP_HELP["keywords"])
    strong_keywords = _keyword_group(_GROUP_HELP["strong_keywords"])
    weak_keywords = _keyword_group(_GROUP_HELP["weak_keywords"])
    negative_keywords = _keyword_group(_GROUP_HELP["negative_keywords"])

    class Meta:
        model = Topic
        fields = [
            "id", "code", "name_vi", "name_en", "keywords", "strong_keywords",
            "weak_keywords", "negative_keywords", "active", "order", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class TopicWriteSerializer(serializers.Serializer):
    name_vi = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    keywords = _keyword_group(_GROUP_HELP["keywords"], write=True)
    strong_keywords = _keyword_group(_GROUP_HELP["strong_keywords"], write=True)
    weak_keywords = _keyword_group(_GROUP_HELP["weak_keywords"], write=True)
    negative_keywords = _keyword_group(_GROUP_HELP["negative_keywords"], write=True)
    active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class TopicViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The topic taxonomy (by ``code``); coordinators and administrators edit names and
    keywords, which the analysis uses from the next item on."""

    serializer_class = TopicSerializer
    lookup_field = "code"
    queryset = Topic.objects.order_by("order", "code")

    @extend_schema(request=TopicWriteSerializer, responses=TopicSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        topic = self.get_object()
        ser = TopicWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        with _service_errors():
            topic = services.topic_update(actor=request.user, topic=topic, **ser.validated_data)
        return Response(TopicSerializer(topic).data)

    @extend_schema(request=TopicWriteSerializer, responses=TopicSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


class WatchTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = WatchTerm
        fields = ["id", "term", "owner", "created_at"]
        read_only_fields = ["id", "created_at"]

    owner = serializers.IntegerField(source="owner_id")


class WatchTermViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Terms the caller's organisations follow (names, projects, a rumour's keyword)."""

    serializer_class = WatchTermSerializer

    def get_queryset(self) -> QuerySet[WatchTerm]:
        return selectors.readable_watch_terms(self.request.user)

    def get_object(self) -> WatchTerm:
        return selectors.access_watch_term(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = WatchTermSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        owner = _organisation(ser.validated_data["owner_id"], "owner")
        with _service_errors():
            term = services.watch_term_add(
                actor=request.user, owner=owner, term=ser.validated_data["term"]
            )
        return Response(WatchTermSerializer(term).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: WatchTerm) -> None:
        with _service_errors():
            services.watch_term_remove(actor=self.request.user, term=instance)


class SavedSearchSerializer(serializers.ModelSerializer):
    filters = serializers.DictField(required=False, default=dict)

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "filters", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"query": {"required": False, "allow_blank": True, "default": ""}}


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own saved searches (``filters`` as the search's parameters)."""

    serializer_class = SavedSearchSerializer

    def get_queryset(self) -> QuerySet[SavedSearch]:
        return SavedSearch.objects.filter(user_id=self.request.user.pk or 0).order_by("name", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = SavedSearchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        with _service_errors():
            saved = services.saved_search_create(
                actor=request.user, name=d["name"], query=d.get("query", ""), filters=d["filters"]
            )
        return Response(SavedSearchSerializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: SavedSearch) -> None:
        with _service_errors():
            services.saved_search_delete(actor=self.request.user, saved=instance)


# --- Registration ---------------------------------------------------------------------------

VIEWSETS: list[tuple[str, type[viewsets.GenericViewSet], str]] = [
    ("press-sources", SourceViewSet, "press-source"),
    ("press-items", ItemViewSet, "press-item"),
    ("press-stories", StoryViewSet, "press-story"),
    ("press-search", SearchViewSet, "press-search"),
    ("press-alerts", AlertViewSet, "press-alert"),
    ("press-alert-rules", AlertRuleViewSet, "press-alert-rule"),
    ("press-topics", TopicViewSet, "press-topic"),
    ("press-watch-terms", WatchTermViewSet, "press-watch-term"),
    ("press-saved-searches", SavedSearchViewSet, "press-saved-search"),
]


def register(router: BaseRouter) -> None:
    """Add the press monitoring endpoints to the project's router."""
    for prefix, viewset, basename in VIEWSETS:
        router.register(prefix, viewset, basename=basename)
