"""Alerts and digests: tell the right people, in the app and by e-mail, once.

A rule belongs to an organisation and watches the items of the sources monitored in its
subtree (national agencies watch every source). Rules on topic, negative sentiment and
keyword are checked on every analysed item inside the pipeline's transaction; volume
spikes are checked each tick against the usual hourly volume of the past week. An alert
has a unique key, so a re-run never alerts twice; e-mails go out after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache, partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.core.text import fold
from ttdn.directory.models import OrganisationKind
from ttdn.reporting.models import Notification
from ttdn.reporting.notifications import agency_users, notify_users

from .models import Alert, AlertRule, Item, MonitorDigestRun
from .search.terms import search_fold

log = logging.getLogger(__name__)

SPIKE_WINDOW = dt.timedelta(hours=1)
SPIKE_BASELINE = dt.timedelta(days=7)


def _covers(rule: AlertRule, item: Item) -> bool:
    owner = rule.owner
    if owner.kind == OrganisationKind.NATIONAL_AGENCY:
        return True
    return item.source.owner.path.startswith(owner.path)


@lru_cache(maxsize=256)
def _keyword_re(keyword: str) -> re.Pattern[str]:
    """The keyword's words in order, as whole words, over any spacing, in folded text."""
    words = [re.escape(w) for w in fold(keyword).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def _folded(item: Item) -> str:
    # one translate() pass (as the search index folds), not a normalisation per character
    return search_fold(f"{item.title}\n{item.text}")


def rule_matches(rule: AlertRule, item: Item, folded: str | None = None) -> bool:
    """Whether ``item`` matches ``rule``; ``folded``: the item's folded title and text
    when the caller has it already (several keyword rules read the same item)."""
    if rule.province and rule.province not in (item.provinces or []):
        return False
    if rule.kind == AlertRule.Kind.TOPIC:
        return rule.topic in (item.topics or [])
    if rule.kind == AlertRule.Kind.SENTIMENT:
        return item.sentiment == Item.Sentiment.NEGATIVE and (
            not rule.topic or rule.topic in (item.topics or [])
        )
    if rule.kind == AlertRule.Kind.KEYWORD:
        if folded is None:
            folded = _folded(item)
        return bool(_keyword_re(rule.keyword).search(folded))
    return False


def _recipients(rule: AlertRule) -> set[int]:
    users = agency_users([rule.owner_id])
    if rule.created_by_id:
        users.add(rule.created_by_id)
    return users


def _notify(rule: AlertRule, alert: Alert, url: str) -> int:
    return notify_users(
        _recipients(rule),
        kind=Notification.Kind.PRESS,
        key=f"press:{alert.key}",
        message=alert.message,
        url=url,
    )


def _create_alert(rule: AlertRule, key: str, message: str, url: str, **refs: object) -> bool:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(rule=rule, key=key, message=message[:500], **refs)
    except IntegrityError:
        return False
    _notify(rule, alert, url)
    if rule.email:
        transaction.on_commit(partial(_enqueue_email, alert.pk))
    return True


def _enqueue_email(alert_id: int) -> None:
    from .tasks import send_alert_email

    send_alert_email.enqueue(alert_id)


def match_items(items: Sequence[Item]) -> list[tuple[AlertRule, Item]]:
    """The (rule, item) pairs that call for an alert. Reads the rules, writes nothing: the
    pipeline runs it before its write transaction and :func:`create_alerts` inside."""
    rules = list(
        AlertRule.objects.filter(active=True)
        .exclude(kind=AlertRule.Kind.SPIKE)
        .select_related("owner")
    )
    if not rules:
        return []
    folded: dict[int, str] = {}
    matches = []
    for rule in rules:
        for item in items:
            if item.duplicate_of_id or not _covers(rule, item):
                continue
            text = None
            if rule.kind == AlertRule.Kind.KEYWORD:
                text = folded.get(id(item))
                if text is None:
                    text = folded[id(item)] = _folded(item)
            if rule_matches(rule, item, text):
                matches.append((rule, item))
    return matches


def create_alerts(matches: Sequence[tuple[AlertRule, Item]]) -> int:
    """Make (once each) the alerts of :func:`match_items`; returns how many are new."""
    made = 0
    for rule, item in matches:
        message = _("%(rule)s: %(title)s") % {"rule": rule.name, "title": item.title or item.url}
        made += _create_alert(
            rule,
            f"r{rule.pk}:i{item.pk}",
            message,
            f"/monitoring/items/{item.pk}/",
            item=item,
            cluster_id=item.cluster_id,
        )
    return made


def evaluate_items(items: Sequence[Item]) -> int:
    """Alert on the items that match an active rule. Returns how many alerts were made."""
    return create_alerts(match_items(items))


def _volume(rule: AlertRule, start: dt.datetime, end: dt.datetime) -> int:
    qs = Item.objects.filter(
        stage=Item.Stage.DONE, collected_at__gte=start, collected_at__lt=end, duplicate_of=None
    )
    if rule.owner.kind != OrganisationKind.NATIONAL_AGENCY:
        qs = qs.filter(source__owner__path__startswith=rule.owner.path)
    if rule.province:
        qs = qs.filter(province_rows__province=rule.province)
    if rule.topic:
        qs = qs.filter(topic_rows__code=rule.topic)
    return qs.count()


def check_spikes(now: dt.datetime | None = None) -> int:
    """Alert when the last hour's volume is ``spike_factor`` times the usual hourly volume."""
    now = now or timezone.now()
    made = 0
    for rule in AlertRule.objects.filter(active=True, kind=AlertRule.Kind.SPIKE).select_related(
        "owner"
    ):
        recent = _volume(rule, now - SPIKE_WINDOW, now)
        if recent < rule.spike_min_items:
            continue
        baseline_total = _volume(rule, now - SPIKE_BASELINE, now - SPIKE_WINDOW)
        hours = SPIKE_BASELINE / SPIKE_WINDOW - 1
        usual = baseline_total / hours
        if recent < rule.spike_factor * max(usual, 1.0):
            continue
        hour = timezone.localtime(now).strftime("%Y-%m-%dT%H")
        message = _("%(rule)s: %(n)d items in the last hour, about %(usual).1f in a usual hour") % {
            "rule": rule.name,
            "n": recent,
            "usual": usual,
        }
        made += _create_alert(rule, f"r{rule.pk}:spike:{hour}", message, "/monitoring/")
    return made


def send_alert_email(alert_id: int) -> bool:
    """E-mail an alert to its recipients now (not in the daily digest)."""
    alert = Alert.objects.select_related("rule").filter(pk=alert_id).first()
    if alert is None:
        return False
    notes = Notification.objects.filter(
        key=f"press:{alert.key}"[:200], emailed_at__isnull=True
    ).select_related("user")
    sent = False
    for n in notes:
        if not (n.user.email and n.user.is_active):
            continue
        body = "\n".join(
            [
                alert.message,
                "",
                _("Open it in the platform: %(url)s") % {"url": settings.TTDN_BASE_URL + n.url},
            ]
        )
        try:
            send_mail(
                _("TTĐN press alert: %(rule)s") % {"rule": alert.rule.name},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [n.user.email],
            )
        except Exception as exc:
            log.warning("alert e-mail to %s failed: %s", n.user_id, exc)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent = True
    return sent


# --- digests ---------------------------------------------------------------------------


def _digest_users() -> Iterable[tuple[int, str, str, list[str]]]:
    """Users who own alert rules or sources, with the organisation paths they follow."""
    from ttdn.accounts.models import User

    paths: dict[int, set[str]] = {}
    for rule in AlertRule.objects.filter(active=True).select_related("owner"):
        for u in _recipients(rule):
            paths.setdefault(u, set()).add(
                "/" if rule.owner.kind == OrganisationKind.NATIONAL_AGENCY else rule.owner.path
            )
    for user in User.objects.filter(pk__in=list(paths), is_active=True).exclude(email=""):
        yield user.pk, user.email, user.get_full_name() or user.username, sorted(paths[user.pk])


def digest_body(paths: Sequence[str], start: dt.datetime, end: dt.datetime) -> tuple[int, str]:
    from .selectors import top_clusters

    qs = Item.objects.filter(
        stage=Item.Stage.DONE, collected_at__gte=start, collected_at__lt=end, duplicate_of=None
    )
    if "/" not in paths:
        from django.db.models import Q

        q = Q(pk__in=[])
        for p in paths:
            q |= Q(source__owner__path__startswith=p)
        qs = qs.filter(q)
    total = qs.count()
    negative = qs.filter(sentiment=Item.Sentiment.NEGATIVE).count()
    lines = [
        _("Items collected: %(n)d, of which negative: %(neg)d.") % {"n": total, "neg": negative},
        "",
        _("Top stories:"),
    ]
    for c in top_clusters(qs, limit=10):
        lines.append(f"- {c['title']} ({c['n']})")
    return total, "\n".join(lines)


def digest_send(period: str = "daily", today: dt.date | None = None) -> int:
    """Send the daily (or, on Mondays, weekly) press digest once per user and period."""
    today = today or timezone.localdate()
    days = 7 if period == "weekly" else 1
    end = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    start = end - dt.timedelta(days=days)
    sent = 0
    for user_id, email, name, paths in _digest_users():
        try:
            with transaction.atomic():
                run = MonitorDigestRun.objects.create(user_id=user_id, period=period, day=today)
        except IntegrityError:
            continue
        total, body = digest_body(paths, start, end)
        subject = (
            _("TTĐN weekly press digest, week to %(d)s")
            if period == "weekly"
            else _("TTĐN daily press digest, %(d)s")
        ) % {"d": (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")}
        try:
            send_mail(
                subject,
                _("Hello %(name)s,") % {"name": name} + "\n\n" + body,
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
        except Exception as exc:
            log.warning("press digest to %s failed: %s", user_id, exc)
            run.delete()
            continue
        MonitorDigestRun.objects.filter(pk=run.pk).update(sent_at=timezone.now(), count=total)
        sent += 1
    return sent
