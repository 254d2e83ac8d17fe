"""Writes of execution and reporting. Each function takes the acting user, runs in one
transaction, checks scope and writes the audit row (see docs/adr/0004)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record, snapshot
from ttdn.directory.models import Organisation
from ttdn.plans.models import Task, TaskAgency

from .models import (
    Evidence,
    KpiDefinition,
    KpiValue,
    LegalParameter,
    Notification,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)

SYSTEM = "system"


class ConcurrentEditError(Exception):
    """Someone else saved the same record since it was loaded: nothing was overwritten."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _may_write(actor: Any, org: Organisation) -> bool:
    return actor == SYSTEM or get_scope(actor).can_write_path(org.path)


def _require(actor: Any, org: Organisation, message: str) -> None:
    if not _may_write(actor, org):
        raise PermissionDenied(message)


# --- legal parameters -------------------------------------------------------------------


def legal_parameter(code: str, on: dt.date | None = None, default: Any = None) -> Any:
    """The value of a dated legal parameter in force on ``on`` (today by default)."""
    on = on or dt.date.today()
    for row in LegalParameter.objects.filter(code=code):
        if (row.valid_from is None or row.valid_from <= on) and (
            row.valid_to is None or on <= row.valid_to
        ):
            return row.value
    return default


# --- progress on tasks ---------------------------------------------------------------------


def task_agencies(task: Task) -> tuple[set[int], set[int]]:
    """Ids of the task's lead and coordinating organisations."""
    lead: set[int] = set()
    coord: set[int] = set()
    for link in task.agencies.all():
        if link.organisation_id is None:
            continue
        (lead if link.role == TaskAgency.Role.LEAD else coord).add(link.organisation_id)
    return lead, coord


@transaction.atomic
def task_update_add(
    *,
    actor: Any,
    task: Task,
    organisation: Organisation,
    narrative: str,
    status: str = "",
    progress: int | None = None,
    happened_on: dt.date | None = None,
    links: Iterable[str] = (),
    figures: dict[str, Any] | None = None,
) -> TaskUpdate:
    """Record progress. The lead's update moves the task's status; a coordinating
    agency's update is a contribution. The focal department may record for anyone."""
    _require(actor, organisation, _("You may not report for this agency."))
    task = Task.objects.select_for_update().select_related("plan__issuer").get(pk=task.pk)
    lead, coord = task_agencies(task)
    issuer_scope = _may_write(actor, task.plan.issuer)
    if organisation.pk not in lead | coord and not issuer_scope:
        raise PermissionDenied(_("This agency is neither lead nor coordinating on the task."))
    narrative = narrative.strip()
    if not narrative:
        raise ValidationError({"narrative": _("Say what was done.")})
    if status and status not in Task.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    is_lead = organisation.pk in lead or (not lead and issuer_scope)
    update = TaskUpdate.objects.create(
        task=task,
        organisation=organisation,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        happened_on=happened_on or dt.date.today(),
        status=status if is_lead else "",
        progress=progress if progress is not None else 0,
        narrative=narrative,
        links=[link.strip() for link in links if link.strip()],
        figures={k: float(v) for k, v in (figures or {}).items()},
        is_lead=is_lead,
    )
    if is_lead and status and status != task.status:
        before = {"status": task.status}
        task.status = status
        task.save(update_fields=["status"])
        audit_record(
            actor=actor, action="update", obj=task, before=before, after={"status": status}
        )
    audit_record(actor=actor, action="create", obj=update, after=snapshot(update))
    return update


# --- campaigns -----------------------------------------------------------------------------


@transaction.atomic
def campaign_open(
    *,
    actor: Any,
    owner: Organisation,
    scope: Organisation,
    title: str,
    year: int,
    due: dt.date,
    agencies: Iterable[Organisation],
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    kpis: Iterable[KpiDefinition] = (),
    instructions: str = "",
) -> ReportCampaign:
    _require(actor, scope, _("You may not open report campaigns for this province."))
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": _("Choose the agencies that must report.")})
    for agency in agencies:
        if not agency.path.startswith(scope.path):
            raise ValidationError(
                {"agencies": _("“%(name)s” is outside the province.") % {"name": agency.name}}
            )
    campaign = ReportCampaign.objects.create(
        owner=owner,
        scope=scope,
        title=title.strip(),
        year=year,
        period_start=period_start or dt.date(year, 1, 1),
        period_end=period_end or dt.date(year, 12, 31),
        due=due,
        instructions=instructions,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.kpis.set(list(kpis))
    ReportSubmission.objects.bulk_create(
        [ReportSubmission(campaign=campaign, agency=a) for a in agencies]
    )
    audit_record(actor=actor, action="create", obj=campaign, after=snapshot(campaign))
    from .notifications import notify_agencies

    notify_agencies(
        agencies,
        kind=Notification.Kind.CAMPAIGN,
        key=f"campaign:{campaign.pk}",
        message=_("Report requested: %(title)s, due %(due)s")
        % {"title": campaign.title, "due": due.strftime("%d/%m/%Y")},
        url=f"/reporting/campaigns/{campaign.pk}/",
    )
    return campaign


@transaction.atomic
def campaign_set_status(*, actor: Any, campaign: ReportCampaign, status: str) -> ReportCampaign:
    """Close a campaign, or reopen it (late agencies can then still submit)."""
    _require(actor, campaign.scope, _("You may not manage this campaign."))
    if status not in ReportCampaign.Status.values:
        raise ValidationError(_("Unknown status."))
    before = snapshot(campaign)
    campaign.status = status
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor, action="update", obj=campaign, before=before, after=snapshot(campaign)
    )
    return campaign


SUBMISSION_FIELDS = ("narrative", "difficulties", "proposals", "task_results")


@transaction.atomic
def submission_save(
    *, actor: Any, submission: ReportSubmission, expected_version: int, **data: Any
) -> ReportSubmission:
    """Save a draft. Refused if someone saved since ``expected_version`` was loaded."""
    _require(actor, submission.agency, _("You may not edit this agency's report."))
    if submission.campaign.status != ReportCampaign.Status.OPEN:
        raise ValidationError(_("The campaign is closed; ask the focal department to reopen it."))
    if submission.status in {ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.ACCEPTED}:
        raise ValidationError(_("The report has been submitted and can no longer be edited."))
    unknown = set(data) - set(SUBMISSION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field: %(field)s") % {"field": ", ".join(unknown)})
    before = snapshot(submission)
    changed = ReportSubmission.objects.filter(pk=submission.pk, version=expected_version).update(
        **data,
        version=F("version") + 1,
        status=ReportSubmission.Status.DRAFT,
        updated_at=timezone.now(),
    )
    if not changed:
        current = ReportSubmission.objects.get(pk=submission.pk)
        raise ConcurrentEditError(
            _(
                "Someone else saved this report at %(time)s after you opened it. Your text "
                "was not saved over theirs: reload the report, then add your changes again."
            )
            % {"time": timezone.localtime(current.updated_at).strftime("%H:%M %d/%m/%Y")}
        )
    submission.refresh_from_db()
    audit_record(
        actor=actor, action="update", obj=submission, before=before, after=snapshot(submission)
    )
    return submission


@transaction.atomic
def submission_submit(
    *, actor: Any, submission: ReportSubmission, expected_version: int
) -> ReportSubmission:
    _require(actor, submission.agency, _("You may not submit this agency's report."))
    if submission.campaign.status != ReportCampaign.Status.OPEN:
        raise ValidationError(_("The campaign is closed; ask the focal department to reopen it."))
    if not submission.narrative.strip():
        raise ValidationError({"narrative": _("Write the results before submitting.")})
    before = snapshot(submission)
    changed = ReportSubmission.objects.filter(pk=submission.pk, version=expected_version).update(
        status=ReportSubmission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not changed:
        raise ConcurrentEditError(
            _("The report changed since you opened it: reload it and check before submitting.")
        )
    submission.refresh_from_db()
    audit_record(
        actor=actor, action="update", obj=submission, before=before, after=snapshot(submission)
    )
    return submission


@transaction.atomic
def submission_review(
    *, actor: Any, submission: ReportSubmission, accept: bool, reason: str = ""
) -> ReportSubmission:
    """The focal department accepts a submission or returns it for correction."""
    _require(actor, submission.campaign.scope, _("You may not review reports of this province."))
    if submission.status != ReportSubmission.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say what must be corrected.")})
    before = snapshot(submission)
    submission.status = (
        ReportSubmission.Status.ACCEPTED if accept else ReportSubmission.Status.RETURNED
    )
    submission.return_reason = "" if accept else reason.strip()
    submission.version += 1
    submission.save()
    audit_record(
        actor=actor, action="update", obj=submission, before=before, after=snapshot(submission)
    )
    if not accept:
        from .notifications import notify_agencies

        notify_agencies(
            [submission.agency],
            kind=Notification.Kind.RETURNED,
            key=f"returned:{submission.pk}:{submission.version}",
            message=_("Your report was returned for correction: %(reason)s")
            % {"reason": submission.return_reason[:300]},
            url=f"/reporting/submissions/{submission.pk}/",
        )
    return submission


# --- KPIs -----------------------------------------------------------------------------------


@transaction.atomic
def kpi_set(
    *,
    actor: Any,
    definition: KpiDefinition,
    organisation: Organisation,
    year: int,
    value: Decimal | float | int,
    submission: ReportSubmission | None = None,
    source: str = KpiValue.Source.ENTERED,
) -> KpiValue:
    _require(actor, organisation, _("You may not enter figures for this agency."))
    value = Decimal(str(value))
    if value < 0:
        raise ValidationError({"value": _("A figure cannot be negative.")})
    if definition.aggregation == KpiDefinition.Aggregation.SHARE and value not in (0, 1):
        raise ValidationError({"value": _("This indicator is yes (1) or no (0).")})
    row = KpiValue.objects.filter(
        definition=definition, organisation=organisation, year=year
    ).first()
    before = snapshot(row) if row else None
    if row is None:
        row = KpiValue(definition=definition, organisation=organisation, year=year)
    row.value = value
    row.source = source
    row.submission = submission
    row.province = organisation.province()
    row.save()
    audit_record(
        actor=actor,
        action="update" if before else "create",
        obj=row,
        before=before,
        after=snapshot(row),
    )
    return row


# --- evidence, notifications, prefill (added with the reporting screens) -------------------

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@transaction.atomic
def task_update_with_evidence(
    *,
    actor: Any,
    task: Task,
    organisation: Organisation,
    files: Iterable[UploadedFile] = (),
    **fields: Any,
) -> TaskUpdate:
    """``task_update_add`` and the update's evidence files, in one transaction."""
    files = list(files)
    for f in files:
        if (f.size or 0) > MAX_EVIDENCE_BYTES:
            raise ValidationError(
                {
                    "files": _("“%(name)s” is larger than %(mb)d MB.")
                    % {"name": f.name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)}
                }
            )
    update = task_update_add(actor=actor, task=task, organisation=organisation, **fields)
    for f in files:
        name = (f.name or "file")[:255]
        ev = Evidence(update=update, name=name, size=f.size or 0)
        ev.file.save(name, f, save=False)
        ev.save()
        audit_record(
            actor=actor,
            action="create",
            obj=ev,
            after={**snapshot(ev, exclude=("file",)), "file": ev.file.name},
        )
    return update


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them (``notification`` None).

    Reading is the actor's own interface state, not a record others rely on: no audit row.
    """
    if notification is not None and notification.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This notification is not yours."))
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())


def submission_prefill(submission: ReportSubmission) -> list[dict[str, Any]]:
    """Result lines for the agency's report, from its tasks' progress in the campaign period.

    Tasks: the agency is lead or coordinating, the plan is a published plan of the
    campaign's province, and the task is due in the period or recurring. Each line carries
    the agency's latest update (status, progress, narrative), else the task's status.
    """
    from ttdn.plans.models import Plan

    campaign = submission.campaign
    links = (
        TaskAgency.objects.filter(
            organisation=submission.agency,
            task__plan__status=Plan.Status.PUBLISHED,
            task__plan__kind=Plan.Kind.PLAN,
            task__plan__issuer__path__startswith=campaign.scope.path,
        )
        .filter(
            Q(task__due__gte=campaign.period_start, task__due__lte=campaign.period_end)
            | ~Q(task__recurrence="")
        )
        .select_related("task", "task__section", "task__plan")
        .order_by("task__plan_id", "task__position", "role")
    )
    roles: dict[int, str] = {}
    tasks: dict[int, Task] = {}
    for link in links:
        if link.task_id not in roles or link.role == TaskAgency.Role.LEAD:
            roles[link.task_id] = link.role
        tasks.setdefault(link.task_id, link.task)
    latest: dict[int, TaskUpdate] = {}
    for u in TaskUpdate.objects.filter(
        task_id__in=list(tasks), organisation=submission.agency
    ).order_by("task_id", "-happened_on", "-id"):
        latest.setdefault(u.task_id, u)
    lines = []
    for tid, task in tasks.items():
        last = latest.get(tid)
        lines.append(
            {
                "task": tid,
                "summary": task.summary,
                "role": roles[tid],
                "status": (last.status if last and last.status else task.status),
                "progress": last.progress
                if last
                else (100 if task.status == Task.Status.DONE else 0),
                "result": last.narrative if last else "",
            }
        )
    return lines


@transaction.atomic
def submission_update(
    *,
    actor: Any,
    submission: ReportSubmission,
    expected_version: int,
    kpis: dict[KpiDefinition, Decimal | None] | None = None,
    **data: Any,
) -> ReportSubmission:
    """Save the draft and its KPI figures together: a stale version saves neither."""
    submission = submission_save(
        actor=actor, submission=submission, expected_version=expected_version, **data
    )
    campaign_kpis = set(submission.campaign.kpis.values_list("pk", flat=True))
    for definition, value in (kpis or {}).items():
        if definition.pk not in campaign_kpis:
            raise ValidationError(
                _("“%(name)s” is not asked for in this campaign.") % {"name": definition.name}
            )
        if value is None:
            continue
        kpi_set(
            actor=actor,
            definition=definition,
            organisation=submission.agency,
            year=submission.campaign.year,
            value=value,
            submission=submission,
        )
    return submission


def kpi_compute(*, year: int, province: Organisation | None = None) -> dict[str, int]:
    """Compute KPI values from the work recorded in the platform (source "computed").

    - ``sum`` indicators: the figures agencies attached to their progress updates in the
      year (``TaskUpdate.figures``, keyed by indicator code);
    - ``plan_issued``: 1 when the province has a published plan for the year.
    A value entered by a person is never overwritten. Re-running gives the same values.
    """
    from collections import defaultdict

    from ttdn.plans.models import Plan

    from .models import TaskUpdate

    definitions = {d.code: d for d in KpiDefinition.objects.filter(active=True)}
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    updates = TaskUpdate.objects.filter(happened_on__year=year).exclude(figures={})
    if province is not None:
        updates = updates.filter(organisation__path__startswith=province.path)
    for org_id, figures in updates.values_list("organisation_id", "figures").iterator():
        for code, value in (figures or {}).items():
            d = definitions.get(code)
            if d is not None and d.aggregation == KpiDefinition.Aggregation.SUM:
                totals[(code, org_id)] += Decimal(str(value))
    provinces = Organisation.objects.filter(kind="province", valid_to__isnull=True)
    if province is not None:
        provinces = provinces.filter(pk=province.pk)
    if "plan_issued" in definitions:
        for prov in provinces:
            issued = Plan.objects.filter(
                kind=Plan.Kind.PLAN,
                year=year,
                status=Plan.Status.PUBLISHED,
                issuer__path__startswith=prov.path,
            ).exists()
            totals[("plan_issued", prov.pk)] = Decimal(1 if issued else 0)
    counts = {"computed": 0, "kept_entered": 0}
    orgs = Organisation.objects.in_bulk({org_id for _code, org_id in totals})
    for (code, org_id), value in totals.items():
        existing = KpiValue.objects.filter(
            definition=definitions[code], organisation_id=org_id, year=year
        ).first()
        if existing is not None and existing.source == KpiValue.Source.ENTERED:
            counts["kept_entered"] += 1
            continue
        if existing is not None and existing.value == value:
            continue
        kpi_set(
            actor=SYSTEM,
            definition=definitions[code],
            organisation=orgs[org_id],
            year=year,
            value=value,
            source=KpiValue.Source.COMPUTED,
        )
        counts["computed"] += 1
    return counts
