"""Reminders and notifications: created idempotently, e-mailed once a day as a digest.

``reminders_run(today)`` looks at every open task's deadline occurrences (a due date, or
the occurrences of its RRULE for recurring deadlines) and creates the notifications that
the dated reminder policy asks for: N days before, on the day, and after the deadline,
to the lead agency's people and to the province's focal department. Each notification has
a unique key (task, occurrence, offset, user), so running the job twice creates nothing new.

``digest_send(today)`` sends each user one e-mail with what is new, claiming the
(user, day) digest row first: a crash or a second worker never sends it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.accounts.models import RoleAssignment, User
from ttdn.directory.models import Organisation, OrganisationFunction
from ttdn.directory.services import function_holder
from ttdn.plans.models import Plan, Task, TaskAgency

from .models import DigestRun, Notification

log = logging.getLogger("ttdn.reporting")

# Days relative to a deadline at which reminders go out (negative: before). The policy in
# force is the dated legal parameter "reminder_offsets"; this is the fallback.
DEFAULT_OFFSETS = [-7, -1, 0, 3]


def agency_users(org_ids: Iterable[int]) -> set[int]:
    """Active users who belong to, or officer for, these organisations."""
    ids = list(set(org_ids))
    if not ids:
        return set()
    users = set(
        User.objects.filter(organisation_id__in=ids, is_active=True).values_list("pk", flat=True)
    )
    users |= set(
        RoleAssignment.objects.filter(organisation_id__in=ids, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    return users


def notify_users(
    user_ids: Iterable[int], *, kind: str, key: str, message: str, url: str = ""
) -> int:
    rows = [
        Notification(user_id=u, kind=kind, key=key[:200], message=message[:500], url=url)
        for u in set(user_ids)
    ]
    before = Notification.objects.filter(key=key[:200]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(key=key[:200]).count() - before


def notify_agencies(agencies: Iterable[Organisation], **kwargs: str) -> int:
    return notify_users(agency_users(a.pk for a in agencies), **kwargs)


def occurrences(task: Task, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The task's deadlines between ``start`` and ``end`` (inclusive)."""
    if task.recurrence:
        try:
            rule = rrulestr(
                task.recurrence,
                dtstart=dt.datetime.combine(task.due or dt.date(start.year - 1, 1, 1), dt.time()),
            )
        except (ValueError, TypeError):
            log.warning("task %s: cannot read recurrence %r", task.pk, task.recurrence)
        else:
            for when in rule.between(
                dt.datetime.combine(start, dt.time()),
                dt.datetime.combine(end, dt.time()),
                inc=True,
            ):
                yield when.date()
            return
    if task.due and start <= task.due <= end:
        yield task.due


def reminders_run(today: dt.date | None = None, offsets: list[int] | None = None) -> int:
    """Create the reminders due today. Idempotent. Returns how many were created."""
    from .services import legal_parameter

    today = today or dt.date.today()
    offsets = offsets or legal_parameter("reminder_offsets", today, DEFAULT_OFFSETS)
    horizon_start = today - dt.timedelta(days=max(offsets))
    horizon_end = today - dt.timedelta(days=min(offsets))
    tasks = (
        Task.objects.filter(plan__status=Plan.Status.PUBLISHED)
        .exclude(status__in=[Task.Status.DONE, Task.Status.CANCELLED])
        .filter(Q(due__range=(horizon_start, horizon_end)) | ~Q(recurrence=""))
        .select_related("plan__issuer")
        .prefetch_related("agencies")
    )
    created = 0
    focal_cache: dict[int, Organisation | None] = {}
    for task in tasks.iterator(chunk_size=500):
        leads = [
            a.organisation_id
            for a in task.agencies.all()
            if a.role == TaskAgency.Role.LEAD and a.organisation_id
        ]
        province = task.plan.issuer.province()
        if province is not None and province.pk not in focal_cache:
            focal_cache[province.pk] = function_holder(
                OrganisationFunction.Function.FOCAL_TTDN, province, today
            )
        focal = focal_cache.get(province.pk) if province is not None else None
        recipients = agency_users(leads)
        if focal is not None:
            recipients |= agency_users([focal.pk])
        for when in occurrences(task, horizon_start, horizon_end):
            offset = (today - when).days
            if offset not in offsets:
                continue
            if offset < 0:
                kind, text = (
                    Notification.Kind.DUE_SOON,
                    _("Due in %(n)d days: %(task)s") % {"n": -offset, "task": task.summary[:200]},
                )
            elif offset == 0:
                kind, text = (
                    Notification.Kind.DUE_TODAY,
                    _("Due today: %(task)s") % {"task": task.summary[:200]},
                )
            else:
                kind, text = (
                    Notification.Kind.OVERDUE,
                    _("Overdue by %(n)d days: %(task)s")
                    % {"n": offset, "task": task.summary[:200]},
                )
            created += notify_users(
                recipients,
                kind=kind,
                key=f"task:{task.pk}:{when.isoformat()}:{offset}",
                message=text,
                url=f"/plans/{task.plan_id}/#task-{task.pk}",
            )
    return created


def digest_send(today: dt.date | None = None) -> int:
    """E-mail each user the notifications not yet e-mailed, at most once a day."""
    today = today or dt.date.today()
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in Notification.objects.filter(emailed_at__isnull=True).select_related("user"):
        if n.user.email and n.user.is_active:
            pending[n.user_id].append(n)
    sent = 0
    for user_id, items in pending.items():
        try:
            with transaction.atomic():
                run = DigestRun.objects.create(user_id=user_id, day=today, count=len(items))
        except IntegrityError:
            continue  # already sent (or being sent) today
        user = items[0].user
        lines = [f"- {n.message}" for n in items]
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
                "",
                _("What needs your attention in the foreign-information work platform:"),
                "",
                *lines,
            ]
        )
        try:
            send_mail(
                _("TTĐN: %(n)d new notifications") % {"n": len(items)},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
        except Exception as exc:  # the mail server refused: keep the reason, retry tomorrow
            DigestRun.objects.filter(pk=run.pk).update(error=str(exc)[:500])
            log.warning("digest for user %s failed: %s", user_id, exc)
            continue
        now = timezone.now()
        DigestRun.objects.filter(pk=run.pk).update(sent_at=now)
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        sent += 1
    return sent
