"""Press-monitoring pages: the item stream and search, items and stories, the dashboard,
sources and their imports, topics, watched terms, alert rules and alerts, allowed hosts.

Thin views: reads through ``selectors`` (objects named by id through ``access_*``, so
anything out of scope is "not found"), writes through ``services``. Response cases and
the leaders' report have their own modules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record
from ttdn.reporting import charts

from . import selectors, services
from .forms import (
    FILTER_FIELDS,
    LANGUAGE_NAMES,
    AlertRuleForm,
    AllowedHostForm,
    ImportForm,
    PeriodForm,
    SavedSearchForm,
    SearchForm,
    SourceForm,
    TopicForm,
    WatchTermForm,
    province_names,
)
from .highlight import highlight, highlight_paragraphs, snippet
from .models import AllowedHost, Item, SavedSearch, Source, Topic

PER_PAGE = 20
HEALTH_BADGE: dict[str, str] = {
    Source.Health.OK: "ok",
    Source.Health.FAILING: "warn",
    Source.Health.PAUSED: "ended",
    Source.Health.UNKNOWN: "unknown",
}


def _messages(exc: ValidationError | PermissionDenied) -> list[str]:
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


def _add_errors(form: Any, exc: ValidationError | PermissionDenied) -> None:
    """Put a service's error on the field it names (when the form has it) or on top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields else None
            for e in errors:
                form.add_error(field, e.messages)
    else:
        form.add_error(None, _messages(exc))


def _stream_url(**params: Any) -> str:
    """The item stream filtered by ``params`` (empty values left out)."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    url = reverse("monitoring:items")
    return f"{url}?{urlencode(query)}" if query else url


def _lang_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code)) if code else ""


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 500))
    except ValueError:
        return 1


# --- Item stream and search -------------------------------------------------------------------


def _search(cd: dict[str, Any], page: int, user: Any) -> tuple[Any, list[Item], list[str]]:
    """Run the search module with the form's values: (page, items, folded terms)."""
    from . import search

    def one(value: Any) -> list[Any]:
        return [value] if value not in (None, "") else []

    query = search.SearchQuery(
        text=cd.get("q") or "",
        date_from=cd.get("date_from"),
        date_to=cd.get("date_to"),
        sources=one(cd.get("source")),
        langs=one(cd.get("lang")),
        topics=one(cd.get("topic")),
        sentiments=one(cd.get("sentiment")),
        provinces=one(cd.get("province")),
        clusters=one(cd.get("cluster")),
        kinds=one(cd.get("kind")),
        order="relevance" if cd.get("order") == "relevance" else "newest",
        page=page,
        per_page=PER_PAGE,
    )
    result, items = search.search_items(query, user)
    terms = search.highlight_terms(cd.get("q") or "") if cd.get("q") else []
    return result, items, terms


def _item_rows(items: list[Item], terms: list[str], names: dict[str, str], q: str) -> list[dict]:
    suffix = "?" + urlencode({"q": q}) if q else ""
    return [
        {
            "item": item,
            "url": reverse("monitoring:item", args=[item.pk]) + suffix,
            "title": highlight(item.title or item.url, item.mentions, terms, field="title"),
            "snippet": snippet(item.text, item.mentions, terms, field="text"),
            "topics": [(code, names.get(code, code)) for code in item.topics or []],
            "lang_name": _lang_name(item.lang),
        }
        for item in items
    ]


def _search_form(request: HttpRequest, data: Any) -> SearchForm:
    return SearchForm(
        data,
        sources=selectors.readable_sources(request.user)
        .select_related(None)
        .only("pk", "name")
        .order_by("name"),
        topics=selectors.topic_names(get_language()),
        provinces=province_names(),
    )


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    """The stream (newest first) and the search: one page, the filters in the address."""
    form = _search_form(request, request.GET)
    page_number = _page_number(request.GET.get("page"))
    result: Any = None
    rows: list[dict[str, Any]] = []
    terms: list[str] = []
    q = ""
    if form.is_valid():
        q = form.cleaned_data.get("q") or ""
        try:
            result, items, terms = _search(form.cleaned_data, page_number, request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            rows = _item_rows(items, terms, selectors.topic_names(get_language()), q)
    filters = form.filters() if form.is_bound and not form.errors else {}
    context = {
        "form": form,
        "result": result,
        "rows": rows,
        "q": q,
        "filters": filters,
        "saved": [(s, _saved_url(s)) for s in selectors.saved_searches(request.user)],
        "save_form": SavedSearchForm(),
        "prev_page": page_number - 1 if result is not None and page_number > 1 else None,
        "next_page": page_number + 1 if result is not None and result.has_next else None,
    }
    partial = bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]
    response = render(
        request,
        "monitoring/_results.html" if partial else "monitoring/item_list.html",
        context,
        status=400 if form.errors else 200,
    )
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """Save the search in the address (query and filters) under a name."""
    form = SavedSearchForm(request.POST)
    search_form = _search_form(request, request.POST)
    if form.is_valid() and search_form.is_valid():
        try:
            saved = services.saved_search_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                query=search_form.cleaned_data.get("q") or "",
                filters=search_form.filters(),
            )
        except (ValidationError, PermissionDenied) as exc:
            for m in _messages(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("Search saved as “%(name)s”.") % {"name": saved.name})
            return redirect(_saved_url(saved))
    else:
        messages.error(request, _("Give the search a name."))
    return redirect(_stream_url(**{k: request.POST.get(k, "") for k in ("q", *FILTER_FIELDS)}))


def _saved_url(saved: SavedSearch) -> str:
    return _stream_url(q=saved.query, **{k: v for k, v in (saved.filters or {}).items()})


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.access_saved_search(request.user, pk)
    services.saved_search_delete(actor=request.user, saved=saved)
    messages.success(request, _("Saved search deleted."))
    return redirect("monitoring:items")


# --- Items and stories ------------------------------------------------------------------------


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    q = request.GET.get("q", "")[:500]
    terms: list[str] = []
    if q:
        from . import search

        terms = search.highlight_terms(q)
    readable = selectors.readable_items(request.user)
    story_items = []
    if item.cluster_id:
        story_items = list(
            readable.filter(cluster_id=item.cluster_id)
            .exclude(pk=item.pk)
            .order_by("-sort_key")[:50]
        )
    duplicates = list(readable.filter(duplicate_of=item).order_by("-sort_key")[:50])
    original = readable.filter(pk=item.duplicate_of_id).first() if item.duplicate_of_id else None
    names = selectors.topic_names(get_language())
    return render(
        request,
        "monitoring/item_detail.html",
        {
            "item": item,
            "q": q,
            "title": highlight(item.title or item.url, item.mentions, terms, field="title"),
            "paragraphs": highlight_paragraphs(item.text, item.mentions, terms, field="text"),
            "topics": [(code, names.get(code, code)) for code in item.topics or []],
            "lang_name": _lang_name(item.lang),
            "story_items": story_items,
            "duplicates": duplicates,
            "original": original,
            "places": sorted(
                {str(m.get("key")) for m in item.mentions or [] if m.get("kind") == "place"}
            ),
            "case_url": _case_open_url(item=item.pk),
            "story_case_url": _case_open_url(cluster=item.cluster_id) if item.cluster_id else "",
        },
    )


def _case_open_url(**params: int) -> str:
    """The response cases' "open" page, prefilled from an item or a story."""
    try:
        url = reverse("monitoring:case_open")
    except NoReverseMatch:
        url = "/monitoring/cases/open/"
    return f"{url}?{urlencode(params)}"


@login_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = selectors.access_cluster(request.user, pk)
    items = list(
        selectors.readable_items(request.user).filter(cluster=cluster).order_by("sort_key")[:500]
    )
    names = selectors.topic_names(get_language())
    sources = {i.source_id for i in items}
    return render(
        request,
        "monitoring/story_detail.html",
        {
            "cluster": cluster,
            "items": items,
            "outlets": len(sources),
            "languages": [(c, _lang_name(c)) for c in cluster.languages or []],
            "topics": [(c, names.get(c, c)) for c in cluster.topics or []],
            "sentiment_label": dict(Item.Sentiment.choices).get(cluster.sentiment, ""),
            "case_url": _case_open_url(cluster=cluster.pk),
            "stream_url": _stream_url(cluster=cluster.pk),
        },
    )


# --- Dashboard ----------------------------------------------------------------------------------


def _period(form: PeriodForm) -> tuple[dt.date, dt.date, str]:
    """The first and last day of the chosen period (the last 7 days when in doubt)."""
    today = timezone.localdate()
    cd: dict[str, Any] = form.cleaned_data if form.is_valid() else {"period": "7"}
    if cd["period"] == "custom":
        start: dt.date = cd["date_from"]
        end: dt.date = cd["date_to"]
        return start, end, "custom"
    period = str(cd["period"])
    return today - dt.timedelta(days=int(period) - 1), today, period


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _volume_points(per_day: list[tuple[dt.date, int]]) -> tuple[list[tuple[str, int]], bool]:
    """Days as they are up to 16 of them; weeks (from the first day) beyond: a line with
    more points than that is no longer readable on a phone."""
    if len(per_day) <= 16:
        return [(d.strftime("%d/%m"), n) for d, n in per_day], False
    weeks: list[tuple[str, int]] = []
    for i in range(0, len(per_day), 7):
        chunk = per_day[i : i + 7]
        weeks.append((chunk[0][0].strftime("%d/%m"), sum(n for _d, n in chunk)))
    return weeks, True


def _case_summary(user: Any) -> tuple[Any, str | None]:
    """The response cases' summary when the cases module provides one."""
    try:
        from .cases import case_summary
    except (ImportError, AttributeError):
        return None, None
    try:
        get_template("monitoring/_case_summary.html")
    except TemplateDoesNotExist:
        return None, None
    return case_summary(user), "monitoring/_case_summary.html"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start_day, end_day, period = _period(form) if form.is_bound else _period(PeriodForm({}))
    start, end = _day_start(start_day), _day_start(end_day + dt.timedelta(days=1))
    figures = selectors.dashboard(request.user, start, end)
    dates = {"date_from": start_day.isoformat(), "date_to": end_day.isoformat()}

    def link(**params: Any) -> str:
        return _stream_url(**dates, **params)

    def bars(rows: list[tuple[Any, str, int]], param: str) -> list[dict[str, Any]]:
        return [
            {"key": key, "label": label, "n": n, "url": link(**{param: key})}
            for key, label, n in rows
        ]

    topics = bars(figures["topics"], "topic")
    sentiments = bars(figures["sentiments"], "sentiment")
    sources = bars(figures["sources"], "source")
    languages = bars([(c, _lang_name(c), n) for c, _label, n in figures["languages"]], "lang")
    provinces = bars(figures["provinces"], "province")
    points, weekly = _volume_points(figures["per_day"])

    def hbar(rows: list[dict[str, Any]], title: str) -> Any:
        return (
            charts.hbar_chart([charts.Bar(r["label"], r["n"]) for r in rows], title)
            if rows
            else None
        )

    summary, summary_template = _case_summary(request.user)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "form": form if form.is_bound else PeriodForm(initial={"period": "7"}),
            "period": period,
            "start_day": start_day,
            "end_day": end_day,
            "f": figures,
            "negative_pct": round(figures["negative_share"] * 100),
            "total_url": link(),
            "negative_url": link(sentiment=Item.Sentiment.NEGATIVE),
            "per_day": [
                {
                    "day": d,
                    "n": n,
                    "url": _stream_url(date_from=d.isoformat(), date_to=d.isoformat()),
                }
                for d, n in figures["per_day"]
            ],
            "volume_chart": charts.line_chart(
                points, _("Items per week") if weekly else _("Items per day")
            ),
            "topics": topics,
            "topics_chart": hbar(topics, _("Items by topic")),
            "sentiments": sentiments,
            "sentiments_chart": hbar(sentiments, _("Items by sentiment")),
            "sources": sources,
            "sources_chart": hbar(sources, _("Items by source")),
            "languages": languages,
            "languages_chart": hbar(languages, _("Items by language")),
            "provinces": provinces,
            "provinces_chart": hbar(provinces, _("Items by province mentioned")),
            "top_stories": [
                {**story, "stream_url": link(cluster=story["id"])}
                for story in figures["top_stories"]
            ],
            "latest_alerts": list(selectors.readable_alerts(request.user)[:8]),
            "case_summary": summary,
            "case_summary_template": summary_template,
        },
    )


# --- Sources ----------------------------------------------------------------------------------


def _writable_source_ids(user: Any, sources: list[Source]) -> set[int]:
    scope = get_scope(user)
    return {s.pk for s in sources if scope.can_write_path(s.owner.path)}


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.readable_sources(request.user).annotate(
        n_items=Count("items", filter=Q(items__stage=Item.Stage.DONE))
    )
    health = request.GET.get("health", "")
    if health in Source.Health.values:
        qs = qs.filter(health=health)
    page = Paginator(qs.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    for source in page.object_list:
        source.badge = HEALTH_BADGE.get(source.health, "unknown")  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/source_list.html",
        {
            "page_obj": page,
            "health": health,
            "healths": Source.Health.choices,
            "writable": _writable_source_ids(request.user, list(page.object_list)),
            "can_create": selectors.monitoring_organisations(request.user).exists(),
        },
    )


def _source_fields(form: SourceForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.SOURCE_FIELDS}


@login_required
def source_create(request: HttpRequest) -> HttpResponse:
    owners = selectors.monitoring_organisations(request.user)
    if not owners.exists():
        raise PermissionDenied(_("You may not add sources."))
    form = SourceForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_create(actor=request.user, **_source_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Source added. The first collection starts shortly."))
            return redirect("monitoring:source", pk=source.pk)
    return render(
        request,
        "monitoring/source_form.html",
        {"form": form, "source": None},
        status=400 if form.errors else 200,
    )


@login_required
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk, write=True)
    owners = selectors.monitoring_organisations(request.user)
    form = SourceForm(request.POST or None, instance=source, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(actor=request.user, source=source, **_source_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            source.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, _("Source saved."))
            return redirect("monitoring:source", pk=source.pk)
    return render(
        request,
        "monitoring/source_form.html",
        {"form": form, "source": source},
        status=400 if form.errors else 200,
    )


@login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk)
    can_write = get_scope(request.user).can_write_path(source.owner.path)
    return render(
        request,
        "monitoring/source_detail.html",
        {
            "source": source,
            "badge": HEALTH_BADGE.get(source.health, "unknown"),
            "runs": list(source.runs.all()[:30]),
            "items": list(source.items.filter(stage=Item.Stage.DONE).order_by("-sort_key")[:20]),
            "pending": source.items.exclude(stage=Item.Stage.DONE).aggregate(
                queued=Count("pk", filter=Q(stage=Item.Stage.QUEUED)),
                fetched=Count("pk", filter=Q(stage=Item.Stage.FETCHED)),
                failed=Count("pk", filter=Q(stage=Item.Stage.FAILED)),
            ),
            "n_items": source.items.filter(stage=Item.Stage.DONE).count(),
            "can_write": can_write,
            "import_form": ImportForm() if can_write and source.kind == Source.Kind.FILE else None,
            "stream_url": _stream_url(source=source.pk),
        },
    )


@login_required
@require_POST
def source_pause(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        services.source_update(actor=request.user, source=source, active=active)
    except (ValidationError, PermissionDenied) as exc:
        for m in _messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("Collection resumed.") if active else _("Collection paused."))
    return redirect("monitoring:source", pk=source.pk)


@login_required
@require_POST
def source_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk, write=True)
    if source.kind == Source.Kind.FILE or not source.active:
        messages.error(request, _("Only an active feed, sitemap or listing page is collected."))
    else:
        services.source_fetch_now(actor=request.user, source=source)
        messages.success(request, _("Collection requested; it starts within a minute."))
    return redirect("monitoring:source", pk=source.pk)


@login_required
@require_POST
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk, write=True)
    name = source.name
    services.source_delete(actor=request.user, source=source)
    messages.success(request, _("Source “%(name)s” deleted with its items.") % {"name": name})
    return redirect("monitoring:sources")


def _import_errors() -> tuple[type[Exception], ...]:
    """The parser's failures, each carrying a plain-words ``message``."""
    from .fetch.errors import FetchError

    errors: list[type[Exception]] = [FetchError]
    try:
        from .fetch.social import SocialImportError
    except ImportError:
        pass
    else:
        errors.append(SocialImportError)
    return tuple(errors)


def source_import_file(
    *, actor: Any, source: Source, content: bytes, filename: str
) -> tuple[int, int]:
    """Import a social-media export into a file source, audited, then analyse it.

    The write is ``pipeline.import_file`` (idempotent: posts are unique by address or
    id); this adds the scope check, the audit row and the processing job after commit.
    """
    if not get_scope(actor).can_write_path(source.owner.path):
        raise PermissionDenied(_("You may not import into this source."))
    from .pipeline import import_file

    with transaction.atomic():
        new, skipped = import_file(source, content, filename)
        audit_record(
            actor=actor,
            action="import",
            obj=source,
            changes={"file": filename[:200], "new": new, "skipped": skipped},
        )

        def enqueue() -> None:
            from .tasks import process_pending

            process_pending.enqueue()

        if new:
            transaction.on_commit(enqueue)
    return new, skipped


@login_required
@require_POST
def source_import(request: HttpRequest, pk: int) -> HttpResponse:
    source = selectors.access_source(request.user, pk, write=True)
    if source.kind != Source.Kind.FILE:
        raise Http404
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("monitoring:source", pk=source.pk)
    upload = form.cleaned_data["file"]
    try:
        new, skipped = source_import_file(
            actor=request.user, source=source, content=upload.read(), filename=upload.name
        )
    except _import_errors() as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(
            request,
            _("%(new)d new posts imported, %(skipped)d already known.")
            % {"new": new, "skipped": skipped},
        )
    return redirect("monitoring:source", pk=source.pk)


# --- Topics and watched terms -----------------------------------------------------------------


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = list(Topic.objects.all())
    return render(
        request,
        "monitoring/topic_list.html",
        {
            "topics": [
                {
                    "topic": t,
                    "counts": [
                        (code, _lang_name(code), len(words))
                        for code, words in sorted((t.keywords or {}).items())
                    ],
                }
                for t in topics
            ],
            "can_edit": selectors.can_edit_topics(request.user),
        },
    )


@login_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_edit_topics(request.user):
        raise PermissionDenied(_("You may not edit the topics."))
    topic = get_object_or_404(Topic, pk=pk)
    form = TopicForm(request.POST or None, topic=topic)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(
                actor=request.user,
                topic=topic,
                name_vi=form.cleaned_data["name_vi"],
                name_en=form.cleaned_data["name_en"],
                active=form.cleaned_data["active"],
                **form.keyword_changes(),
            )
        except (ValidationError, PermissionDenied) as exc:
            topic.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Topic saved. New items are classified with these keywords."),
            )
            return redirect("monitoring:topics")
    return render(
        request,
        "monitoring/topic_form.html",
        {"form": form, "topic": topic},
        status=400 if form.errors else 200,
    )


@login_required
def term_list(request: HttpRequest) -> HttpResponse:
    owners = selectors.monitoring_organisations(request.user)
    form = WatchTermForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            services.watch_term_add(
                actor=request.user, owner=form.cleaned_data["owner"], term=form.cleaned_data["term"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Term added: new items are watched for it."))
            return redirect("monitoring:terms")
    terms = list(selectors.readable_watch_terms(request.user))
    scope = get_scope(request.user)
    return render(
        request,
        "monitoring/term_list.html",
        {
            "terms": terms,
            "writable": {t.pk for t in terms if scope.can_write_path(t.owner.path)},
            "form": form if owners.exists() else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def term_delete(request: HttpRequest, pk: int) -> HttpResponse:
    term = selectors.access_watch_term(request.user, pk, write=True)
    services.watch_term_remove(actor=request.user, term=term)
    messages.success(request, _("Term removed."))
    return redirect("monitoring:terms")


# --- Alert rules and alerts ------------------------------------------------------------------


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.readable_rules(request.user).order_by("name", "pk"))
    scope = get_scope(request.user)
    names = selectors.topic_names(get_language())
    return render(
        request,
        "monitoring/rule_list.html",
        {
            "rules": [
                {
                    "rule": r,
                    "topic_name": names.get(r.topic, r.topic),
                    "can_write": scope.can_write_path(r.owner.path),
                }
                for r in rules
            ],
            "can_create": selectors.monitoring_organisations(request.user).exists(),
        },
    )


def _rule_form(request: HttpRequest, **kwargs: Any) -> AlertRuleForm:
    return AlertRuleForm(
        request.POST or None,
        owners=selectors.monitoring_organisations(request.user),
        topics=selectors.topic_names(get_language()),
        provinces=province_names(),
        **kwargs,
    )


def _rule_fields(form: AlertRuleForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.RULE_FIELDS}


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    if not selectors.monitoring_organisations(request.user).exists():
        raise PermissionDenied(_("You may not add alert rules."))
    form = _rule_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_rule_create(actor=request.user, **_rule_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Alert rule added."))
            return redirect("monitoring:rules")
    return render(
        request,
        "monitoring/rule_form.html",
        {"form": form, "rule": None},
        status=400 if form.errors else 200,
    )


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.access_rule(request.user, pk, write=True)
    form = _rule_form(request, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_rule_update(actor=request.user, rule=rule, **_rule_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            rule.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, _("Alert rule saved."))
            return redirect("monitoring:rules")
    return render(
        request,
        "monitoring/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.access_rule(request.user, pk, write=True)
    services.alert_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Alert rule deleted."))
    return redirect("monitoring:rules")


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.readable_alerts(request.user)
    rule = request.GET.get("rule", "")
    if rule.isdigit():
        qs = qs.filter(rule_id=int(rule))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/alert_list.html", {"page_obj": page, "rule": rule})


# --- Allowed private hosts (administrators) --------------------------------------------------


def _require_superuser(user: Any) -> None:
    if not get_scope(user).write_all:
        raise PermissionDenied(_("Only a system administrator may allow private hosts."))


@login_required
def host_list(request: HttpRequest) -> HttpResponse:
    _require_superuser(request.user)
    form = AllowedHostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allowed_host_add(
                actor=request.user, host=form.cleaned_data["host"], note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Host allowed."))
            return redirect("monitoring:hosts")
    return render(
        request,
        "monitoring/host_list.html",
        {"hosts": AllowedHost.objects.order_by("host"), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def host_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_superuser(request.user)
    host = get_object_or_404(AllowedHost, pk=pk)
    services.allowed_host_remove(actor=request.user, host=host)
    messages.success(request, _("Host no longer allowed."))
    return redirect("monitoring:hosts")
