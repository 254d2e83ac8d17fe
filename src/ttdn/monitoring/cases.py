"""Rapid-response cases ("xử lý thông tin sai sự thật"): services and scoped reads.

A case answers a false or distorted story. It moves through fixed steps::

    open ──assign──► assigned ──submit──► in_review ──approve──► approved ──publish──► published
                        ▲                    │                                          │
                        └──────return────────┘                              close ──► closed

Each step is measured: when a case enters a status, ``step_started_at`` is set and
``step_due_at`` is that time plus the dated service level of the status it waits in
(``ServiceLevel`` rows, with ``DEFAULT_HOURS`` as the fallback). Leaving the status writes a
``CaseEvent`` with the hours the step took and the hours it was allowed, so the timeline
shows every step against its service level. ``escalate_overdue`` (the minute tick) escalates
a step once when its due time passes.

Who may do what is one table, ``RULES``, read by ``allowed_actions`` (the pages show only
those forms) and enforced by every service (``_check``). Like every write of the platform,
each service takes the acting user, runs in one transaction and writes the audit row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ttdn.accounts.models import Role, RoleAssignment
from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record, snapshot
from ttdn.core.text import fold
from ttdn.directory.models import Organisation, OrganisationKind, valid_on
from ttdn.reporting.models import Notification
from ttdn.reporting.notifications import agency_users, notify_users
from ttdn.reporting.services import ConcurrentEditError

from .models import Case, CaseEvent, Cluster, EvidenceLink, Item, ServiceLevel
from .selectors import readable_cases, readable_items

__all__ = [
    "DEFAULT_HOURS",
    "RULES",
    "CaseStateError",
    "ConcurrentEditError",
    "access_case",
    "agency_choices",
    "allowed_actions",
    "can",
    "case_approve",
    "case_assign",
    "case_close",
    "case_comment",
    "case_open",
    "case_publish",
    "case_return",
    "case_roles",
    "case_save_draft",
    "case_search",
    "case_submit",
    "case_summary",
    "default_owner",
    "escalate_overdue",
    "evidence_attach",
    "evidence_submissions",
    "evidence_tasks",
    "owner_choices",
    "service_level",
    "step_report",
]

SYSTEM = "system"
S = Case.Status

# For drf-spectacular's ENUM_NAME_OVERRIDES ("CaseStatusEnum": "ttdn.monitoring.cases.CaseStatus"):
# several models have a "status" field with different choices.
CaseStatus = Case.Status
CaseSeverity = Case.Severity
CaseOutcome = Case.Outcome

# Hours each step may take when no ServiceLevel row applies (the seeded defaults).
DEFAULT_HOURS: dict[str, float] = {
    S.OPEN: 4.0,  # to assignment
    S.ASSIGNED: 24.0,  # to a draft submitted
    S.IN_REVIEW: 8.0,  # to approval
    S.APPROVED: 8.0,  # to publication
    S.PUBLISHED: 72.0,  # to closing
}


class CaseStateError(Exception):
    """The step is not possible in the case's current status (someone moved it on)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# --- who may do what --------------------------------------------------------------------------

# The parts a user can play on a case:
OWNER = "owner"  # writes for the owning organisation (coordinator, administrator, its officers)
DRAFTER = "drafter"  # writes for the assigned agency, or for the owner
APPROVER = "approver"  # coordinator/administrator over the owner, not an officer of the agency

_ALIVE = frozenset(s for s in S.values if s != S.CLOSED)
_ALL = frozenset(S.values)

# action → (statuses it may be taken in, parts that may take it)
RULES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "assign": (frozenset({S.OPEN, S.ASSIGNED}), frozenset({OWNER})),
    "draft": (frozenset({S.ASSIGNED}), frozenset({DRAFTER})),
    "submit": (frozenset({S.ASSIGNED}), frozenset({DRAFTER})),
    "approve": (frozenset({S.IN_REVIEW}), frozenset({APPROVER})),
    "return": (frozenset({S.IN_REVIEW}), frozenset({APPROVER})),
    "publish": (frozenset({S.APPROVED}), frozenset({DRAFTER})),
    "close": (_ALIVE, frozenset({OWNER})),
    "comment": (_ALL, frozenset({OWNER, DRAFTER, APPROVER})),
}

ACTION_LABELS = {
    "assign": gettext_lazy("Assign"),
    "draft": gettext_lazy("Edit the draft"),
    "submit": gettext_lazy("Submit for approval"),
    "approve": gettext_lazy("Approve"),
    "return": gettext_lazy("Return for revision"),
    "publish": gettext_lazy("Record publication"),
    "close": gettext_lazy("Close"),
    "comment": pgettext_lazy("press case", "Comment"),
}

_APPROVER_ROLES = (Role.PROVINCIAL_COORDINATOR, Role.ADMINISTRATOR)


def _ancestor_paths(path: str) -> list[str]:
    """ "/1/8/23/" → ["/1/", "/1/8/", "/1/8/23/"]: the organisation and those above it."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _active_assignments(user: Any) -> list[RoleAssignment]:
    cached = getattr(user, "_ttdn_case_ras", None)
    if cached is None:
        today = timezone.localdate()
        cached = [
            ra
            for ra in user.role_assignments.select_related("organisation")
            if ra.is_active_on(today)
        ]
        user._ttdn_case_ras = cached
    return cached


def _is_approver(user: Any, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    above_owner = set(_ancestor_paths(case.owner.path))
    ras = _active_assignments(user)
    if not any(ra.role in _APPROVER_ROLES and ra.organisation.path in above_owner for ra in ras):
        return False
    # Four eyes: an officer of the agency that wrote the draft does not approve it.
    agency = case.assigned_to
    return agency is None or not any(
        ra.role == Role.AGENCY_OFFICER and agency.path.startswith(ra.organisation.path)
        for ra in ras
    )


def case_roles(user: Any, case: Case) -> frozenset[str]:
    """The parts ``user`` plays on ``case`` (see ``RULES``)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    scope = get_scope(user)
    parts: set[str] = set()
    if scope.can_write_path(case.owner.path):
        parts |= {OWNER, DRAFTER}
    if case.assigned_to is not None and scope.can_write_path(case.assigned_to.path):
        parts.add(DRAFTER)
    if _is_approver(user, case):
        parts.add(APPROVER)
    return frozenset(parts)


def can(user: Any, case: Case, action: str) -> bool:
    statuses, parts = RULES[action]
    return case.status in statuses and bool(parts & case_roles(user, case))


def allowed_actions(user: Any, case: Case) -> list[str]:
    """The actions ``user`` may take on ``case`` now, in ``RULES`` order."""
    roles = case_roles(user, case)
    return [
        action
        for action, (statuses, parts) in RULES.items()
        if case.status in statuses and parts & roles
    ]


def _check(actor: Any, case: Case, action: str) -> None:
    """Refuse ``action``: PermissionDenied if the actor has no part in it, CaseStateError
    if the case is not in a status where it is possible."""
    statuses, parts = RULES[action]
    if not parts & case_roles(actor, case):
        raise PermissionDenied(_("You may not do this on this case."))
    if case.status not in statuses:
        raise CaseStateError(
            _("This is not possible while the case is “%(status)s”. Reload the case.")
            % {"status": case.get_status_display()}
        )


# --- service levels ------------------------------------------------------------------------


def service_level(step: str, on: dt.date | dt.datetime | None = None) -> float:
    """Hours allowed for ``step`` (the status a case waits in) by the level valid on ``on``."""
    if isinstance(on, dt.datetime):
        on = timezone.localdate(on)
    on = on or timezone.localdate()
    row = (
        ServiceLevel.objects.filter(step=step, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-pk")
        .first()
    )
    if row is not None:
        return float(row.hours)
    return DEFAULT_HOURS.get(step, 24.0)


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def step_report(case: Case, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The current step: status, hours elapsed, hours allowed, due time, overdue."""
    if case.status == S.CLOSED or case.step_started_at is None:
        return None
    now = now or timezone.now()
    sla = _hours(case.step_due_at - case.step_started_at) if case.step_due_at else None
    return {
        "status": case.status,
        "label": case.get_status_display(),
        "hours": _hours(now - case.step_started_at),
        "sla_hours": sla,
        "due": case.step_due_at,
        "overdue": bool(case.step_due_at and now > case.step_due_at),
        "escalated_at": case.escalated_at,
    }


# --- reads -----------------------------------------------------------------------------------


def access_case(user: Any, pk: Any) -> Case:
    """One case the user may read (owner's or assigned agency's scope), else 404."""
    try:
        return readable_cases(user).select_related("item", "cluster", "approved_by").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_search(
    user: Any,
    *,
    q: str = "",
    status: str = "",
    severity: str = "",
    agency: int | None = None,
    overdue: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """Readable cases, filtered; ``q`` matches the title ignoring case and diacritics."""
    qs = readable_cases(user)
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if agency:
        qs = qs.filter(assigned_to_id=agency)
    if overdue:
        qs = qs.filter(step_due_at__lt=now or timezone.now()).exclude(status=S.CLOSED)
    key = fold(q)
    if key:
        # Titles carry diacritics and the table has no folded column; cases are few
        # (hundreds a year per province), so fold in Python.
        ids = [pk for pk, title in qs.values_list("pk", "title") if key in fold(title)]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("-opened_at", "-pk")


def case_summary(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The dashboard block: open cases by status, overdue and urgent counts."""
    now = now or timezone.now()
    alive = readable_cases(user).exclude(status=S.CLOSED)
    counts = Counter(alive.values_list("status", flat=True))
    return {
        "by_status": [
            {"status": value, "label": label, "n": counts.get(value, 0)}
            for value, label in S.choices
            if value != S.CLOSED
        ],
        "open": sum(counts.values()),
        "overdue": alive.filter(step_due_at__lt=now).count(),
        "urgent": alive.filter(severity=Case.Severity.URGENT).count(),
        "latest": list(alive.order_by("-opened_at")[:5]),
        "now": now,
    }


def owner_choices(user: Any) -> QuerySet[Organisation]:
    """Organisations the user may open cases for: the provinces they write for, and the
    organisations of their writing roles."""
    scope = get_scope(user)
    current = Organisation.objects.filter(valid_on(timezone.localdate()))
    if scope.write_all:
        return current.filter(
            kind__in=[OrganisationKind.PROVINCE, OrganisationKind.NATIONAL_AGENCY]
        ).order_by("kind", "name")
    if not scope.write_paths:
        return current.none()
    provinces = Q(kind=OrganisationKind.PROVINCE) & scope.path_q("path", scope.write_paths)
    return current.filter(provinces | Q(path__in=scope.write_paths)).order_by("depth", "name")


def default_owner(user: Any) -> Organisation | None:
    """The province above the user's organisation when they write for it, else the first
    organisation they may open cases for."""
    from ttdn.reporting.selectors import user_province

    choices = owner_choices(user)
    province = user_province(user)
    if province is not None and choices.filter(pk=province.pk).exists():
        return province
    return choices.first()


def _assignment_root(owner: Organisation) -> Organisation:
    return owner.province() or owner


def agency_choices(case: Case) -> QuerySet[Organisation]:
    """Agencies a case may be assigned to: the current agencies of the owner's province
    (or of the owner's subtree outside provinces), the owner itself included."""
    from ttdn.reporting.selectors import REPORTING_KINDS

    root = _assignment_root(case.owner)
    return (
        Organisation.objects.filter(valid_on(timezone.localdate()), path__startswith=root.path)
        .filter(Q(kind__in=REPORTING_KINDS) | Q(pk=case.owner_id))
        .order_by("depth", "name")
    )


def evidence_tasks(user: Any, limit: int = 300) -> QuerySet[Any]:
    """Tasks of published plans the user may record evidence on (writes for the issuer or
    for one of the task's agencies)."""
    from ttdn.plans.models import Plan, Task

    scope = get_scope(user)
    qs = Task.objects.filter(plan__status=Plan.Status.PUBLISHED, plan__kind=Plan.Kind.PLAN)
    if not scope.write_all:
        q = scope.path_q("plan__issuer__path", scope.write_paths) | scope.path_q(
            "agencies__organisation__path", scope.write_paths
        )
        ids = qs.filter(q).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs.select_related("plan").order_by("-plan__year", "plan_id", "position", "pk")[:limit]


def evidence_submissions(user: Any, limit: int = 100) -> QuerySet[Any]:
    """Report submissions of open campaigns the user writes for."""
    from ttdn.reporting.models import ReportCampaign, ReportSubmission

    scope = get_scope(user)
    qs = ReportSubmission.objects.filter(campaign__status=ReportCampaign.Status.OPEN)
    if not scope.write_all:
        qs = qs.filter(scope.path_q("agency__path", scope.write_paths))
    return qs.select_related("campaign", "agency").order_by("-campaign__due", "agency__name")[
        :limit
    ]


# --- writes ------------------------------------------------------------------------------------


def _url(case: Case) -> str:
    return f"/monitoring/cases/{case.pk}/"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner", "assigned_to")
        .get(pk=case.pk)
    )


def _event(
    actor: Any,
    case: Case,
    kind: str,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    step_hours: float | None = None,
    sla_hours: float | None = None,
) -> CaseEvent:
    user = _user(actor)
    return CaseEvent.objects.create(
        case=case,
        actor=user,
        actor_name=(user.get_full_name() or user.get_username()) if user else str(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        step_hours=step_hours,
        sla_hours=sla_hours,
    )


def _move(actor: Any, case: Case, to_status: str, kind: str, note: str = "", **fields: Any) -> Case:
    """Close the current step (event with its hours against its level) and start the next."""
    now = timezone.now()
    before = snapshot(case)
    from_status = case.status
    step_hours = sla_hours = None
    if case.step_started_at is not None:
        step_hours = _hours(now - case.step_started_at)
        if case.step_due_at is not None:
            sla_hours = _hours(case.step_due_at - case.step_started_at)
    for name, value in fields.items():
        setattr(case, name, value)
    case.status = to_status
    if to_status == S.CLOSED:
        case.step_started_at = case.step_due_at = None
        case.closed_at = now
    else:
        case.step_started_at = now
        case.step_due_at = now + dt.timedelta(hours=service_level(to_status, now))
    case.escalated_at = None
    case.version += 1
    case.save()
    _event(
        actor,
        case,
        kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        step_hours=step_hours,
        sla_hours=sla_hours,
    )
    audit_record(actor=actor, action="update", obj=case, before=before, after=snapshot(case))
    return case


def approver_ids(case: Case) -> set[int]:
    """Users who may approve the case's drafts and hear of its escalations: coordinators
    and administrators on the owner or above it, within its province."""
    paths = _ancestor_paths(case.owner.path)
    province = case.owner.province()
    if province is not None:
        paths = [p for p in paths if p.startswith(province.path)]
    today = timezone.localdate()
    ids = set()
    for ra in RoleAssignment.objects.filter(
        role__in=_APPROVER_ROLES, organisation__path__in=paths, user__is_active=True
    ).select_related("user"):
        if ra.is_active_on(today) and _is_approver(ra.user, case):
            ids.add(ra.user_id)
    return ids


def _clean_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _require_reader(actor: Any, *, item: Item | None, cluster: Cluster | None) -> None:
    items = readable_items(actor)
    if item is not None and not items.filter(pk=item.pk).exists():
        raise PermissionDenied(_("You may not read this item."))
    if cluster is not None and not items.filter(cluster_id=cluster.pk).exists():
        raise PermissionDenied(_("You may not read this story."))


@transaction.atomic
def case_open(
    actor: Any,
    *,
    owner: Organisation,
    title: str,
    item: Item | None = None,
    cluster: Cluster | None = None,
    severity: str = Case.Severity.NORMAL,
    summary: str = "",
) -> Case:
    """Open a case for ``owner`` (whoever writes for it), from an item, a story or nothing."""
    if not get_scope(actor).can_write_path(owner.path):
        raise PermissionDenied(_("You may not open cases for this organisation."))
    _require_reader(actor, item=item, cluster=cluster)
    title = _clean_text(title, "title", _("Give the case a title."))[:500]
    if severity not in Case.Severity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    if cluster is None and item is not None:
        cluster = item.cluster
    now = timezone.now()
    case = Case.objects.create(
        title=title,
        owner=owner,
        item=item,
        cluster=cluster,
        severity=severity,
        summary=(summary or "").strip(),
        status=S.OPEN,
        opened_by=_user(actor),
        step_started_at=now,
        step_due_at=now + dt.timedelta(hours=service_level(S.OPEN, now)),
    )
    _event(actor, case, "opened", to_status=S.OPEN)
    audit_record(actor=actor, action="create", obj=case, after=snapshot(case))
    return case


@transaction.atomic
def case_assign(actor: Any, case: Case, *, agency: Organisation, note: str = "") -> Case:
    """Give the case to the agency that answers; it is notified. Reassigning restarts
    the step: the new agency gets the full time."""
    case = _lock(case)
    _check(actor, case, "assign")
    root = _assignment_root(case.owner)
    if not agency.path.startswith(root.path) or not agency.is_valid_on(timezone.localdate()):
        raise ValidationError(
            {"agency": _("Choose a current agency of %(root)s.") % {"root": root.name}}
        )
    case = _move(actor, case, S.ASSIGNED, "assigned", note=(note or "").strip(), assigned_to=agency)
    notify_users(
        agency_users([agency.pk]),
        kind=Notification.Kind.CASE,
        key=f"case:{case.pk}:assigned:{case.version}",
        message=_("Response case assigned to your agency: %(title)s") % {"title": case.title[:300]},
        url=_url(case),
    )
    return case


@transaction.atomic
def case_save_draft(actor: Any, case: Case, *, draft: str, version: int) -> Case:
    """Save the clarification or refutation. ``version`` is the one the editor loaded: if
    the case changed since, ``ConcurrentEditError`` and nothing is overwritten."""
    case = _lock(case)
    _check(actor, case, "draft")
    before = snapshot(case)
    changed = Case.objects.filter(pk=case.pk, version=version, status=S.ASSIGNED).update(
        draft=(draft or "").strip(), version=F("version") + 1
    )
    if not changed:
        last = (
            case.events.exclude(kind__in=["comment", "escalated", "evidence"])
            .order_by("-at", "-pk")
            .first()
        )
        who = last.actor_name if last else ""
        when = timezone.localtime(last.at).strftime("%H:%M %d/%m/%Y") if last else ""
        raise ConcurrentEditError(
            _(
                "%(who)s changed this case at %(time)s after you opened it. Your text was "
                "not saved over theirs: compare it with the current draft, then save again."
            )
            % {"who": who or _("Someone"), "time": when}
        )
    case.refresh_from_db()
    _event(actor, case, "draft", from_status=case.status, to_status=case.status)
    audit_record(actor=actor, action="update", obj=case, before=before, after=snapshot(case))
    return case


@transaction.atomic
def case_submit(actor: Any, case: Case) -> Case:
    """Send the draft for approval; the approvers are notified."""
    case = _lock(case)
    _check(actor, case, "submit")
    if not case.draft.strip():
        raise ValidationError({"draft": _("Write the clarification before submitting it.")})
    case = _move(actor, case, S.IN_REVIEW, "submitted")
    notify_users(
        approver_ids(case),
        kind=Notification.Kind.CASE,
        key=f"case:{case.pk}:submitted:{case.version}",
        message=_("Draft awaiting your approval: %(title)s") % {"title": case.title[:300]},
        url=_url(case),
    )
    return case


@transaction.atomic
def case_approve(actor: Any, case: Case, note: str = "") -> Case:
    """A provincial coordinator or administrator over the owner approves the draft."""
    case = _lock(case)
    _check(actor, case, "approve")
    case = _move(
        actor, case, S.APPROVED, "approved", note=(note or "").strip(), approved_by=_user(actor)
    )
    if case.assigned_to is not None:
        notify_users(
            agency_users([case.assigned_to.pk]),
            kind=Notification.Kind.CASE,
            key=f"case:{case.pk}:approved:{case.version}",
            message=_("Approved, publish it now: %(title)s") % {"title": case.title[:300]},
            url=_url(case),
        )
    return case


@transaction.atomic
def case_return(actor: Any, case: Case, reason: str) -> Case:
    """Send the draft back to the agency with what to change."""
    case = _lock(case)
    _check(actor, case, "return")
    reason = _clean_text(reason, "reason", _("Say what must be changed."))
    case = _move(actor, case, S.ASSIGNED, "returned", note=reason)
    if case.assigned_to is not None:
        notify_users(
            agency_users([case.assigned_to.pk]),
            kind=Notification.Kind.CASE,
            key=f"case:{case.pk}:returned:{case.version}",
            message=_("Draft returned for revision: %(reason)s") % {"reason": reason[:300]},
            url=_url(case),
        )
    return case


@transaction.atomic
def case_publish(actor: Any, case: Case, *, url: str = "", note: str = "") -> Case:
    """Record where the approved text was published: a link, a note (e.g. the content
    item or the press conference), or both."""
    case = _lock(case)
    _check(actor, case, "publish")
    url = (url or "").strip()
    note = (note or "").strip()
    if not url and not note:
        raise ValidationError({"url": _("Give the link where it was published, or say where.")})
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError({"url": _("Enter a web address (http or https).")}) from None
    return _move(
        actor,
        case,
        S.PUBLISHED,
        "published",
        note=note,
        published_url=url[:1000],
        published_note=note[:500],
    )


# Outcomes that say something was published: only after the publication is recorded.
_PUBLISHED_OUTCOMES = {Case.Outcome.REFUTED, Case.Outcome.CLARIFIED}


@transaction.atomic
def case_close(actor: Any, case: Case, *, outcome: str, note: str = "") -> Case:
    case = _lock(case)
    _check(actor, case, "close")
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if outcome in _PUBLISHED_OUTCOMES and case.status != S.PUBLISHED:
        raise ValidationError(
            {"outcome": _("Record the publication before closing the case with this outcome.")}
        )
    note = (note or "").strip()
    return _move(actor, case, S.CLOSED, "closed", note=note, outcome=outcome, outcome_note=note)


@transaction.atomic
def case_comment(actor: Any, case: Case, note: str) -> CaseEvent:
    """A note on the timeline. It changes nothing else (an open draft editor stays valid)."""
    case = _lock(case)
    _check(actor, case, "comment")
    note = _clean_text(note, "note", _("Write the comment."))
    event = _event(actor, case, "comment", note=note)
    audit_record(actor=actor, action="create", obj=event, after=snapshot(event))
    return event


@transaction.atomic
def evidence_attach(
    actor: Any,
    *,
    case: Case | None = None,
    item: Item | None = None,
    task: Any = None,
    submission: Any = None,
    note: str = "",
) -> EvidenceLink:
    """Attach a case or an item as evidence to a plan task or a report submission. The
    actor reads the case/item and writes for the task's agencies (or its plan's issuer) or
    for the submission's agency. Attaching the same pair twice returns the first link."""
    from ttdn.plans.models import Plan
    from ttdn.plans.selectors import can_write_task
    from ttdn.reporting.selectors import reporting_agencies

    if (case is None) == (item is None):
        raise ValidationError(_("Attach either a case or an item."))
    if (task is None) == (submission is None):
        raise ValidationError(_("Choose either a task or a report."))
    if case is not None and not readable_cases(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not read this case."))
    if item is not None:
        _require_reader(actor, item=item, cluster=None)
    scope = get_scope(actor)
    if task is not None:
        if task.plan.status != Plan.Status.PUBLISHED:
            raise ValidationError({"task": _("Evidence goes on tasks of published plans.")})
        if not (reporting_agencies(actor, task) or can_write_task(actor, task)):
            raise PermissionDenied(_("You may not record evidence on this task."))
    if submission is not None and not scope.can_write_path(submission.agency.path):
        raise PermissionDenied(_("You may not add evidence to this agency's report."))
    existing = EvidenceLink.objects.filter(
        case=case, item=item, task=task, submission=submission
    ).first()
    if existing is not None:
        return existing
    link = EvidenceLink.objects.create(
        case=case,
        item=item,
        task=task,
        submission=submission,
        note=(note or "").strip()[:300],
        created_by=_user(actor),
    )
    if case is not None:
        target = task.summary if task is not None else str(submission.agency)
        _event(actor, case, "evidence", note=str(target)[:300])
    audit_record(actor=actor, action="create", obj=link, after=snapshot(link))
    return link


def escalation_recipients(case: Case) -> set[int]:
    """The owner's coordinators and the people of the organisation above the owner."""
    ids = approver_ids(case)
    if case.owner.parent_id:
        ids |= agency_users([case.owner.parent_id])
    return ids


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every case whose current step is past due, once per step: a timeline
    event and a notification to the owner's coordinators and the organisation above the
    owner. Safe to run every minute and from two workers. Returns how many escalated."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(step_due_at__lt=now, escalated_at__isnull=True)
        .exclude(status=S.CLOSED)
        .select_related("owner", "assigned_to")
        .order_by("step_due_at")
    )
    count = 0
    for case in due:
        with transaction.atomic():
            # Claim the step: a second worker (or a step that just moved on) updates nothing.
            claimed = Case.objects.filter(
                pk=case.pk,
                status=case.status,
                step_due_at=case.step_due_at,
                escalated_at__isnull=True,
            ).update(escalated_at=now)
            if not claimed:
                continue
            assert case.step_due_at is not None and case.step_started_at is not None
            late = _hours(now - case.step_due_at)
            _event(
                SYSTEM,
                case,
                "escalated",
                from_status=case.status,
                to_status=case.status,
                note=_("Step “%(step)s” is %(hours)s h past its service level.")
                % {"step": case.get_status_display(), "hours": f"{late:g}"},
                step_hours=_hours(now - case.step_started_at),
                sla_hours=_hours(case.step_due_at - case.step_started_at),
            )
            audit_record(
                actor=SYSTEM,
                action="update",
                obj=case,
                changes={"escalated_at": [None, now.isoformat()]},
            )
            notify_users(
                escalation_recipients(case),
                kind=Notification.Kind.CASE,
                key=f"case:{case.pk}:escalated:{case.status}:{case.step_started_at.isoformat()}",
                message=_("Overdue response case (%(step)s): %(title)s")
                % {"step": case.get_status_display(), "title": case.title[:300]},
                url=_url(case),
            )
        count += 1
    return count
