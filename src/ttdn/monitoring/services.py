"""Writes of press monitoring (sources, hosts, topics, watched terms, alert rules, saved
searches). Each takes the acting user, checks scope, runs in one transaction and writes
the audit row. Response cases have their own module, ``cases.py``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record, delete_audited, snapshot
from ttdn.directory.models import Organisation

from .models import AlertRule, AllowedHost, SavedSearch, Source, Topic, WatchTerm

SYSTEM = "system"

SOURCE_FIELDS = (
    "name",
    "kind",
    "url",
    "owner",
    "is_foreign",
    "language",
    "interval_minutes",
    "requests_per_minute",
    "active",
)


def _require_write(actor: Any, org: Organisation, message: str) -> None:
    if actor == SYSTEM:
        return
    if not get_scope(actor).can_write_path(org.path):
        raise PermissionDenied(message)


def _require_admin(actor: Any) -> None:
    if actor == SYSTEM:
        return
    if not get_scope(actor).write_all:
        raise PermissionDenied(_("Only a system administrator may allow private hosts."))


def _validate_url(source: Source) -> None:
    if source.kind == Source.Kind.FILE:
        return
    if not source.url:
        raise ValidationError({"url": _("Enter the address of the feed or page.")})
    from .fetch import FetchError
    from .fetch.urls import validate_source_url
    from .pipeline import allowed_hosts

    try:
        source.url = validate_source_url(source.url, allowed_hosts=allowed_hosts())
    except FetchError as exc:
        raise ValidationError({"url": exc.message}) from None


def source_create(*, actor: Any, **fields: Any) -> Source:
    source = Source(**{k: v for k, v in fields.items() if k in SOURCE_FIELDS})
    _require_write(actor, source.owner, _("You may not add sources for this organisation."))
    _validate_url(source)
    source.full_clean(exclude=["url"])
    with transaction.atomic():
        source.created_by = actor if actor != SYSTEM else None
        source.next_fetch_at = timezone.now()
        source.save()
        audit_record(actor=actor, action="create", obj=source, after=snapshot(source))
    return source


def source_update(*, actor: Any, source: Source, **changes: Any) -> Source:
    _require_write(actor, source.owner, _("You may not change this source."))
    before = snapshot(source)
    for k, v in changes.items():
        if k in SOURCE_FIELDS:
            setattr(source, k, v)
    _require_write(actor, source.owner, _("You may not move the source there."))
    if source.url != before.get("url") or source.kind != before.get("kind"):
        _validate_url(source)  # pausing a source whose host is gone must still work
    source.full_clean(exclude=["url"])
    if not source.active:
        source.health = Source.Health.PAUSED
    elif source.health == Source.Health.PAUSED:
        source.health = Source.Health.UNKNOWN
    with transaction.atomic():
        source.save()
        audit_record(
            actor=actor, action="update", obj=source, before=before, after=snapshot(source)
        )
    return source


def source_delete(*, actor: Any, source: Source) -> None:
    _require_write(actor, source.owner, _("You may not delete this source."))
    with transaction.atomic():
        delete_audited(actor=actor, obj=source)


def source_fetch_now(*, actor: Any, source: Source) -> None:
    """Ask for a collection at the next tick (and start one now on the job backend)."""
    _require_write(actor, source.owner, _("You may not change this source."))
    from .tasks import fetch_source

    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    transaction.on_commit(lambda: fetch_source.enqueue(source.pk))


def allowed_host_add(*, actor: Any, host: str, note: str = "") -> AllowedHost:
    _require_admin(actor)
    host = host.strip().lower()
    if not host:
        raise ValidationError({"host": _("Enter a host name or address.")})
    with transaction.atomic():
        row, _created = AllowedHost.objects.get_or_create(
            host=host,
            defaults={"note": note, "created_by": actor if actor != SYSTEM else None},
        )
        audit_record(actor=actor, action="create", obj=row, after=snapshot(row))
    return row


def allowed_host_remove(*, actor: Any, host: AllowedHost) -> None:
    _require_admin(actor)
    with transaction.atomic():
        delete_audited(actor=actor, obj=host)


# --- taxonomy ---------------------------------------------------------------------------


# keyword groups kept in ``Topic.extra`` beside the main ``keywords``: the other keys of
# ``analysis.topics.WEIGHTS`` (named here so that the web process does not load the analysis)
EXTRA_KEYWORD_GROUPS = ("strong_keywords", "weak_keywords", "negative_keywords")


def _clean_keywords(keywords: Any, field: str = "keywords") -> dict[str, list[str]]:
    if not isinstance(keywords, dict):
        raise ValidationError({field: _("Keywords must be given per language.")})
    out: dict[str, list[str]] = {}
    for lang, words in keywords.items():
        if isinstance(words, str):
            words = words.splitlines()
        if not isinstance(words, list):
            raise ValidationError({field: _("Keywords must be given per language.")})
        cleaned = [str(w).strip() for w in words if str(w).strip()]
        if cleaned:
            out[str(lang)[:8]] = list(dict.fromkeys(cleaned))
    return out


def topic_update(*, actor: Any, topic: Topic, **changes: Any) -> Topic:
    """Edit a topic's names and keyword groups (taxonomy editors: coordinators,
    administrators). ``keywords`` and the groups of :data:`EXTRA_KEYWORD_GROUPS` are
    ``{language: [keyword, ...]}``; a group given replaces the topic's."""
    scope = get_scope(actor) if actor != SYSTEM else None
    if scope is not None and not (scope.write_all or scope.admin_paths or scope.content_paths):
        raise PermissionDenied(_("You may not edit the topics."))
    before = snapshot(topic)
    if "keywords" in changes:
        changes["keywords"] = _clean_keywords(changes["keywords"])
    extra = dict(topic.extra or {})
    for group in EXTRA_KEYWORD_GROUPS:
        if group in changes:
            extra[group] = _clean_keywords(changes.pop(group), group)
    topic.extra = extra
    for k in ("name_vi", "name_en", "keywords", "active", "order"):
        if k in changes:
            setattr(topic, k, changes[k])
    topic.full_clean()
    with transaction.atomic():
        topic.save()
        audit_record(actor=actor, action="update", obj=topic, before=before, after=snapshot(topic))
    return topic


# --- watched terms, alert rules, saved searches -------------------------------------------


def watch_term_add(*, actor: Any, owner: Organisation, term: str) -> WatchTerm:
    _require_write(actor, owner, _("You may not add watched terms for this organisation."))
    term = " ".join(term.split())
    if len(term) < 2:
        raise ValidationError({"term": _("A watched term needs at least two characters.")})
    with transaction.atomic():
        row, _created = WatchTerm.objects.get_or_create(
            owner=owner,
            term=term,
            defaults={"created_by": actor if actor != SYSTEM else None},
        )
        audit_record(actor=actor, action="create", obj=row, after=snapshot(row))
    return row


def watch_term_remove(*, actor: Any, term: WatchTerm) -> None:
    _require_write(actor, term.owner, _("You may not remove this watched term."))
    with transaction.atomic():
        delete_audited(actor=actor, obj=term)


RULE_FIELDS = (
    "owner",
    "name",
    "kind",
    "topic",
    "keyword",
    "province",
    "spike_factor",
    "spike_min_items",
    "email",
    "active",
)


def _clean_rule(rule: AlertRule) -> None:
    if rule.kind == AlertRule.Kind.TOPIC and not Topic.objects.filter(code=rule.topic).exists():
        raise ValidationError({"topic": _("Choose a topic.")})
    if rule.kind == AlertRule.Kind.KEYWORD and len(rule.keyword.strip()) < 2:
        raise ValidationError({"keyword": _("Enter the keyword to watch.")})
    if rule.kind == AlertRule.Kind.SPIKE and rule.spike_factor <= 1:
        raise ValidationError({"spike_factor": _("A spike is more than the usual volume (> 1).")})
    rule.full_clean()


def alert_rule_create(*, actor: Any, **fields: Any) -> AlertRule:
    rule = AlertRule(**{k: v for k, v in fields.items() if k in RULE_FIELDS})
    _require_write(actor, rule.owner, _("You may not add alert rules for this organisation."))
    _clean_rule(rule)
    with transaction.atomic():
        rule.created_by = actor if actor != SYSTEM else None
        rule.save()
        audit_record(actor=actor, action="create", obj=rule, after=snapshot(rule))
    return rule


def alert_rule_update(*, actor: Any, rule: AlertRule, **changes: Any) -> AlertRule:
    _require_write(actor, rule.owner, _("You may not change this alert rule."))
    before = snapshot(rule)
    for k, v in changes.items():
        if k in RULE_FIELDS:
            setattr(rule, k, v)
    _require_write(actor, rule.owner, _("You may not change this alert rule."))
    _clean_rule(rule)
    with transaction.atomic():
        rule.save()
        audit_record(actor=actor, action="update", obj=rule, before=before, after=snapshot(rule))
    return rule


def alert_rule_delete(*, actor: Any, rule: AlertRule) -> None:
    _require_write(actor, rule.owner, _("You may not delete this alert rule."))
    with transaction.atomic():
        delete_audited(actor=actor, obj=rule)


def saved_search_create(*, actor: Any, name: str, query: str, filters: dict) -> SavedSearch:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    with transaction.atomic():
        row = SavedSearch.objects.create(
            user=actor, name=name[:200], query=query[:500], filters=filters
        )
        audit_record(actor=actor, action="create", obj=row, after=snapshot(row))
    return row


def saved_search_delete(*, actor: Any, saved: SavedSearch) -> None:
    if saved.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This saved search is someone else's."))
    with transaction.atomic():
        delete_audited(actor=actor, obj=saved)
