"""Scoped reads of press monitoring: what a user may see, and the dashboard's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from ttdn.accounts.permissions import access_object, get_scope, readable, writable
from ttdn.directory.models import Organisation, valid_on

from .models import (
    Alert,
    AlertRule,
    Case,
    Cluster,
    Item,
    ItemProvince,
    ItemTopic,
    SavedSearch,
    Source,
    Topic,
    WatchTerm,
)


def readable_sources(user: Any) -> QuerySet[Source]:
    return readable(Source.objects.select_related("owner"), user, path_lookup="owner__path")


def readable_items(user: Any) -> QuerySet[Item]:
    """Analysed items of the sources the user may read."""
    return readable(
        Item.objects.filter(stage=Item.Stage.DONE).select_related("source", "cluster"),
        user,
        path_lookup="source__owner__path",
    )


def access_item(user: Any, pk: Any) -> Item:
    return access_object(
        Item.objects.select_related("source__owner", "cluster"),
        user,
        pk,
        path_lookup="source__owner__path",
    )


def access_source(user: Any, pk: Any, *, write: bool = False) -> Source:
    return access_object(
        Source.objects.select_related("owner"), user, pk, path_lookup="owner__path", write=write
    )


def access_cluster(user: Any, pk: Any) -> Cluster:
    """A story is visible when one of its items is."""
    from django.http import Http404

    try:
        cluster = Cluster.objects.get(pk=int(pk))
    except (Cluster.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not readable_items(user).filter(cluster_id=cluster.pk).exists():
        raise Http404
    return cluster


def readable_rules(user: Any) -> QuerySet[AlertRule]:
    return readable(AlertRule.objects.select_related("owner"), user, path_lookup="owner__path")


def readable_cases(user: Any) -> QuerySet[Case]:
    from django.db.models import Q

    qs = Case.objects.select_related("owner", "assigned_to")
    own = readable(qs, user, path_lookup="owner__path")
    assigned = readable(qs, user, path_lookup="assigned_to__path")
    return qs.filter(Q(pk__in=own.values("pk")) | Q(pk__in=assigned.values("pk")))


def top_clusters(items: QuerySet[Item], limit: int = 10) -> list[dict[str, Any]]:
    """The stories with most items among ``items``: id, title, n, languages, sentiment."""
    rows = list(
        items.exclude(cluster=None)
        .values("cluster_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-cluster_id")[:limit]
    )
    clusters = Cluster.objects.in_bulk([r["cluster_id"] for r in rows])
    out = []
    for r in rows:
        c = clusters.get(r["cluster_id"])
        if c is None:
            continue
        out.append(
            {
                "id": c.pk,
                "title": c.title,
                "n": r["n"],
                "size": c.size,
                "languages": c.languages,
                "provinces": c.provinces,
                "sentiment": c.sentiment,
                "last_seen": c.last_seen,
            }
        )
    return out


# --- the dashboard ------------------------------------------------------------------------

DASHBOARD_FILTERS = ("source", "lang", "topic", "sentiment", "province", "kind")


def items_between(items: QuerySet[Item], start: dt.datetime, end: dt.datetime) -> QuerySet[Item]:
    """Items published (or, without a date, collected) in ``[start, end)``.

    ``sort_key`` is that time in microseconds (plus under a millisecond to keep it
    unique) and carries a unique index, so a period is one index range at any volume.
    """
    from .pipeline import sort_key_for

    return items.filter(sort_key__gte=sort_key_for(start), sort_key__lt=sort_key_for(end))


def filter_items(items: QuerySet[Item], **filters: Any) -> QuerySet[Item]:
    """The stream's filters (as on the dashboard's links): empty values are ignored."""
    if filters.get("source"):
        items = items.filter(source_id=filters["source"])
    if filters.get("lang"):
        items = items.filter(lang=filters["lang"])
    if filters.get("sentiment"):
        items = items.filter(sentiment=filters["sentiment"])
    if filters.get("kind"):
        items = items.filter(kind=filters["kind"])
    if filters.get("topic"):
        items = items.filter(
            pk__in=ItemTopic.objects.filter(code=filters["topic"]).values("item_id")
        )
    if filters.get("province"):
        items = items.filter(
            pk__in=ItemProvince.objects.filter(province=filters["province"]).values("item_id")
        )
    return items


def topic_names(lang: str | None = None) -> dict[str, str]:
    """Topic code → the name users gave it (Vietnamese; English when asked and given)."""
    return {
        code: (name_en if lang == "en" and name_en else name_vi)
        for code, name_vi, name_en in Topic.objects.values_list("code", "name_vi", "name_en")
    }


def dashboard(user: Any, start: dt.datetime, end: dt.datetime, **filters: Any) -> dict[str, Any]:
    """The press figures of ``[start, end)`` for what ``user`` may read.

    Returns ``total``, ``negative``, ``stories`` (distinct stories), ``alerts`` (alerts of
    the user's rules in the period), ``per_day`` ([(date, n)] for every day, zeros
    included), ``topics``/``sentiments``/``sources``/``languages``/``provinces`` as
    ``[(key, label, n)]`` most first, and ``top_stories`` (see :func:`top_clusters`).
    Every item counts, duplicates too: the figures match the item stream they link to.
    An item with several topics or provinces counts once under each.
    """
    from django.db.models.functions import Coalesce, TruncDate
    from django.utils import timezone
    from django.utils.translation import get_language

    items = filter_items(items_between(readable_items(user), start, end), **filters)
    ids = items.values("pk")
    total = items.count()
    negative = items.filter(sentiment=Item.Sentiment.NEGATIVE).count()
    stories = items.exclude(cluster=None).values("cluster_id").distinct().count()

    tz = timezone.get_current_timezone()
    by_day = {
        r["day"]: r["n"]
        for r in items.annotate(day=TruncDate(Coalesce("published_at", "collected_at"), tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1), tz).date()
    per_day = []
    day = first
    while day <= last:
        per_day.append((day, by_day.get(day, 0)))
        day += dt.timedelta(days=1)

    names = topic_names(get_language())
    topics = [
        (r["code"], names.get(r["code"], r["code"]), r["n"])
        for r in ItemTopic.objects.filter(item_id__in=ids)
        .values("code")
        .annotate(n=Count("pk"))
        .order_by("-n", "code")
    ]
    sentiment_labels = dict(Item.Sentiment.choices)
    sentiments = [
        (r["sentiment"], str(sentiment_labels.get(r["sentiment"], r["sentiment"])), r["n"])
        for r in items.exclude(sentiment="")
        .values("sentiment")
        .annotate(n=Count("pk"))
        .order_by("-n", "sentiment")
    ]
    sources = [
        (r["source_id"], r["source__name"], r["n"])
        for r in items.values("source_id", "source__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "source__name")[:15]
    ]
    languages = [
        (r["lang"], r["lang"], r["n"])
        for r in items.exclude(lang="")
        .values("lang")
        .annotate(n=Count("pk"))
        .order_by("-n", "lang")
    ]
    provinces = [
        (r["province"], r["province"], r["n"])
        for r in ItemProvince.objects.filter(item_id__in=ids)
        .values("province")
        .annotate(n=Count("pk"))
        .order_by("-n", "province")[:20]
    ]
    alerts = Alert.objects.filter(
        rule__in=readable_rules(user).values("pk"), created_at__gte=start, created_at__lt=end
    ).count()
    return {
        "start": start,
        "end": end,
        "total": total,
        "negative": negative,
        "negative_share": negative / total if total else 0.0,
        "stories": stories,
        "alerts": alerts,
        "per_day": per_day,
        "topics": topics,
        "sentiments": sentiments,
        "sources": sources,
        "languages": languages,
        "provinces": provinces,
        "top_stories": top_clusters(items, limit=10),
    }


# --- management screens -------------------------------------------------------------------


def access_rule(user: Any, pk: Any, *, write: bool = False) -> AlertRule:
    return access_object(
        AlertRule.objects.select_related("owner"), user, pk, path_lookup="owner__path", write=write
    )


def readable_alerts(user: Any) -> QuerySet[Alert]:
    """Alerts of the rules the user may read, newest first."""
    return (
        Alert.objects.filter(rule__in=readable_rules(user).values("pk"))
        .select_related("rule__owner", "item", "cluster")
        .order_by("-created_at", "-pk")
    )


def readable_watch_terms(user: Any) -> QuerySet[WatchTerm]:
    return readable(
        WatchTerm.objects.select_related("owner"), user, path_lookup="owner__path"
    ).order_by("term", "owner__name")


def access_watch_term(user: Any, pk: Any, *, write: bool = False) -> WatchTerm:
    return access_object(
        WatchTerm.objects.select_related("owner"), user, pk, path_lookup="owner__path", write=write
    )


# Organisations that monitor the press: not districts or communes.
_MONITORING_KINDS = ("national_agency", "province", "peoples_committee", "department", "press")


def monitoring_organisations(user: Any) -> QuerySet[Organisation]:
    """Current organisations the user may add sources, watched terms and rules for."""
    qs = Organisation.objects.filter(valid_on(dt.date.today()), kind__in=_MONITORING_KINDS)
    return writable(qs, user, path_lookup="path").order_by("path", "name")


def can_edit_topics(user: Any) -> bool:
    scope = get_scope(user)
    return bool(scope.write_all or scope.admin_paths or scope.content_paths)


def saved_searches(user: Any) -> QuerySet[SavedSearch]:
    """The user's own saved searches: nobody else's are ever shown."""
    return SavedSearch.objects.filter(user_id=getattr(user, "pk", None) or 0).order_by("name", "pk")


def access_saved_search(user: Any, pk: Any) -> SavedSearch:
    from django.http import Http404

    try:
        return saved_searches(user).get(pk=int(pk))
    except (SavedSearch.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
