"""Reads of execution and reporting: completeness, KPI aggregation up the tree.

Aggregation follows the definition's rule (DHIS2-style): ``sum`` adds the agencies'
values; ``count`` counts agencies with a value; ``share`` is the share of units with a
"yes" (1); ``latest`` keeps the most recently updated value. Completeness says how many
of the expected reporters have a value, so a low total can be told from missing data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import get_scope, readable
from ttdn.directory.models import Organisation, OrganisationKind, valid_on
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.plans.selectors import access_task

from .models import (
    Evidence,
    KpiDefinition,
    KpiValue,
    Notification,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)


@dataclass(frozen=True)
class Aggregate:
    value: Decimal | None
    reporters: int
    expected: int | None = None

    @property
    def completeness(self) -> float | None:
        if not self.expected:
            return None
        return min(1.0, self.reporters / self.expected)


def aggregate_values(
    definition: KpiDefinition, values: list[KpiValue], expected: int | None = None
) -> Aggregate:
    if not values:
        return Aggregate(None, 0, expected)
    agg = definition.aggregation
    if agg == KpiDefinition.Aggregation.SUM:
        total: Decimal | None = sum((v.value for v in values), Decimal(0))
    elif agg == KpiDefinition.Aggregation.COUNT:
        total = Decimal(len(values))
    elif agg == KpiDefinition.Aggregation.SHARE:
        total = Decimal(sum(1 for v in values if v.value >= 1)) / Decimal(len(values))
    else:
        total = max(values, key=lambda v: v.updated_at).value
    return Aggregate(total, len(values), expected)


def kpi_by_province(definition: KpiDefinition, year: int) -> dict[int, Aggregate]:
    """Province id → aggregate of the values of the organisations in that province."""
    groups: dict[int, list[KpiValue]] = defaultdict(list)
    for v in KpiValue.objects.filter(definition=definition, year=year).exclude(province=None):
        assert v.province_id is not None
        groups[v.province_id].append(v)
    return {pid: aggregate_values(definition, vals) for pid, vals in groups.items()}


def kpi_national(definition: KpiDefinition, year: int, provinces: int) -> Aggregate:
    """The nation's figure: province aggregates combined by the same rule."""
    per_province = kpi_by_province(definition, year)
    values = [a.value for a in per_province.values() if a.value is not None]
    if not values:
        return Aggregate(None, 0, provinces)
    if definition.aggregation == KpiDefinition.Aggregation.SHARE:
        # "N of 34 provinces have issued their regulation": a province counts when it says yes
        yes = sum(1 for v in values if v >= 1)
        return Aggregate(Decimal(yes), len(values), provinces)
    if definition.aggregation == KpiDefinition.Aggregation.LATEST:
        return Aggregate(values[-1], len(values), provinces)
    return Aggregate(sum(values, Decimal(0)), len(values), provinces)


def campaign_list(*, user: Any) -> QuerySet[ReportCampaign]:
    """Campaigns of the user's province, and those asking the user's agencies to report."""
    qs = readable(
        ReportCampaign.objects.select_related("owner", "scope"),
        user,
        path_lookup="scope__path",
    )
    return qs.annotate(
        n_agencies=Count("submissions", distinct=True),
        n_submitted=Count(
            "submissions",
            filter=Q(
                submissions__status__in=[
                    ReportSubmission.Status.SUBMITTED,
                    ReportSubmission.Status.ACCEPTED,
                ]
            ),
            distinct=True,
        ),
    )


def completeness(campaign: ReportCampaign) -> dict[str, int]:
    counts = {s: 0 for s in ReportSubmission.Status.values}
    for row in campaign.submissions.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    late = sum(1 for s in campaign.submissions.select_related("campaign") if s.is_late)
    done = counts["submitted"] + counts["accepted"]
    return {**counts, "total": sum(counts.values()), "done": done, "late": late}


# --- Task execution -------------------------------------------------------------------------


def execution_readable(user: Any, task: Task) -> bool:
    """Who sees a task's progress and evidence: the plan issuer's scope (the focal
    department sees everything in its province), the task's lead and coordinating
    agencies, national viewers. The plan itself is public; its execution is not."""
    scope = get_scope(user)
    if scope.read_all or scope.can_read_path(task.plan.issuer.path):
        return True
    paths = TaskAgency.objects.filter(task=task, organisation__isnull=False).values_list(
        "organisation__path", flat=True
    )
    return any(scope.can_read_path(p) for p in paths)


def access_task_execution(user: Any, pk: Any) -> Task:
    """A task for its execution page; out of the user's execution scope is "not found"."""
    task = access_task(user, pk)
    if not execution_readable(user, task):
        raise Http404
    return task


def reporting_agencies(user: Any, task: Task) -> list[Organisation]:
    """Agencies the user may record progress for on this task: the task's lead and
    coordinating agencies the user writes for; the plan issuer's scope when the task has
    no linked agency at all."""
    scope = get_scope(user)
    links = TaskAgency.objects.filter(task=task, organisation__isnull=False).select_related(
        "organisation"
    )
    out: dict[int, Organisation] = {}
    for link in links.order_by("role", "position"):
        org = link.organisation
        if org is not None and scope.can_write_path(org.path):
            out.setdefault(org.pk, org)
    if not links.exists() and scope.can_write_path(task.plan.issuer.path):
        out[task.plan.issuer.pk] = task.plan.issuer
    return list(out.values())


def task_update_list(task: Task) -> QuerySet[TaskUpdate]:
    return (
        TaskUpdate.objects.filter(task=task)
        .select_related("organisation", "author")
        .prefetch_related("evidence")
        .order_by("-happened_on", "-id")
    )


def access_evidence(user: Any, pk: Any) -> Evidence:
    try:
        ev = Evidence.objects.select_related("update__task__plan__issuer").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access_task_execution(user, ev.update.task_id)
    return ev


def agency_kpis() -> QuerySet[KpiDefinition]:
    return KpiDefinition.objects.filter(active=True, level="agency").order_by("position", "code")


# --- Notifications --------------------------------------------------------------------------


def notification_list(*, user: Any, unread: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(user: Any) -> int:
    """Unread notifications of the user, for the navigation badge (context processor)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Campaigns and submissions --------------------------------------------------------------


def campaign_index(*, user: Any) -> QuerySet[ReportCampaign]:
    """``campaign_list`` plus the campaigns asking one of the user's agencies to report."""
    scope = get_scope(user)
    if not getattr(user, "is_authenticated", False):
        return ReportCampaign.objects.none()
    base = campaign_list(user=user)
    if scope.read_all:
        return base
    asked = ReportSubmission.objects.filter(scope.path_q("agency__path", scope.read_paths)).values(
        "campaign_id"
    )
    return (
        ReportCampaign.objects.filter(Q(pk__in=base.values("pk")) | Q(pk__in=asked))
        .select_related("owner", "scope")
        .annotate(
            n_agencies=Count("submissions", distinct=True),
            n_submitted=Count(
                "submissions",
                filter=Q(submissions__status__in=DONE_STATUSES),
                distinct=True,
            ),
        )
    )


DONE_STATUSES = (ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.ACCEPTED)


def can_manage_campaign(user: Any, campaign: ReportCampaign) -> bool:
    return get_scope(user).can_write_path(campaign.scope.path)


def access_campaign(user: Any, pk: Any, *, manage: bool = False) -> ReportCampaign:
    """One campaign: readable by the province's scope and the agencies asked to report;
    ``manage`` needs write access to the province. Otherwise "not found"."""
    try:
        campaign = campaign_index(user=user).get(pk=pk)
    except (ReportCampaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not can_manage_campaign(user, campaign):
        raise Http404
    return campaign


def campaign_submissions(user: Any, campaign: ReportCampaign) -> QuerySet[ReportSubmission]:
    """The campaign's submissions the user may see: all of them for the province's scope,
    the user's own agencies' otherwise."""
    qs = campaign.submissions.select_related("agency", "submitted_by", "campaign")
    scope = get_scope(user)
    if scope.can_read_path(campaign.scope.path):
        return qs.order_by("agency__name")
    return qs.filter(scope.path_q("agency__path", scope.read_paths)).order_by("agency__name")


def access_submission(user: Any, pk: Any) -> ReportSubmission:
    """One submission: the agency's scope or the campaign province's scope, else 404."""
    try:
        sub = ReportSubmission.objects.select_related(
            "campaign", "campaign__scope", "campaign__owner", "agency", "submitted_by"
        ).get(pk=pk)
    except (ReportSubmission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    scope = get_scope(user)
    if not (scope.can_read_path(sub.agency.path) or scope.can_read_path(sub.campaign.scope.path)):
        raise Http404
    return sub


def can_edit_submission(user: Any, sub: ReportSubmission) -> bool:
    return (
        get_scope(user).can_write_path(sub.agency.path)
        and sub.campaign.status == ReportCampaign.Status.OPEN
        and sub.status not in DONE_STATUSES
    )


REPORTING_KINDS = (
    OrganisationKind.DEPARTMENT,
    OrganisationKind.PRESS,
    OrganisationKind.PEOPLES_COMMITTEE,
    OrganisationKind.PARTY,
    OrganisationKind.MASS_ORGANISATION,
)


def province_agencies(province: Organisation, on: dt.date | None = None) -> QuerySet[Organisation]:
    """The province's current agencies that may be asked to report."""
    return (
        Organisation.objects.filter(
            valid_on(on or dt.date.today()),
            path__startswith=province.path,
            kind__in=REPORTING_KINDS,
        )
        .exclude(pk=province.pk)
        .order_by("name")
    )


def managed_provinces(user: Any) -> QuerySet[Organisation]:
    """Provinces in which the user may open report campaigns (provincial coordinators and
    administrators whose write scope covers the province)."""
    scope = get_scope(user)
    qs = Organisation.objects.filter(valid_on(dt.date.today()), kind=OrganisationKind.PROVINCE)
    if scope.write_all:
        return qs.order_by("name")
    if not scope.has_role(Role.PROVINCIAL_COORDINATOR, Role.ADMINISTRATOR):
        return qs.none()
    return qs.filter(scope.path_q("path", scope.write_paths)).order_by("name")


def campaign_kpis(campaign: ReportCampaign) -> list[KpiDefinition]:
    return list(campaign.kpis.order_by("position", "code"))


def submission_kpi_values(sub: ReportSubmission) -> dict[int, Decimal]:
    """Definition id → the agency's value for the campaign's year."""
    return dict(
        KpiValue.objects.filter(
            organisation=sub.agency,
            year=sub.campaign.year,
            definition__in=sub.campaign.kpis.all(),
        ).values_list("definition_id", "value")
    )


# --- Dashboards -----------------------------------------------------------------------------


def user_province(user: Any) -> Organisation | None:
    """ "My province": the province of the user's home organisation or first role."""
    org = getattr(user, "organisation", None)
    if org is not None:
        prov = org.province()
        if prov is not None:
            return prov
    scope = get_scope(user)
    for oid in scope.home_org_ids:
        o = Organisation.objects.filter(pk=oid).first()
        prov = o.province() if o is not None else None
        if prov is not None:
            return prov
    for path in scope.read_paths:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        prov = (
            Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.PROVINCE)
            .order_by("-depth")
            .first()
        )
        if prov is not None:
            return prov
    return None


def access_province(user: Any, pk: Any) -> Organisation:
    """A province whose dashboard the user may read: national viewers, and whoever reads
    the whole province (coordinators, the focal department's people by role)."""
    try:
        prov = Organisation.objects.get(pk=pk, kind=OrganisationKind.PROVINCE)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    scope = get_scope(user)
    if not scope.can_read_path(prov.path):
        # Agency officers see the dashboard of the province their agency belongs to.
        homes = Organisation.objects.filter(pk__in=scope.home_org_ids, path__startswith=prov.path)
        if not homes.exists():
            raise Http404
    return prov


def _province_tasks(province: Organisation, year: int | None) -> QuerySet[Task]:
    qs = Task.objects.filter(
        plan__issuer__path__startswith=province.path,
        plan__status=Plan.Status.PUBLISHED,
        plan__kind=Plan.Kind.PLAN,
    )
    return qs.filter(plan__year=year) if year else qs


@dataclass(frozen=True)
class AgencyCompletion:
    organisation_id: int
    name: str
    total: int
    done: int
    overdue: int

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def completion_by_agency(
    province: Organisation, year: int | None = None, today: dt.date | None = None
) -> list[AgencyCompletion]:
    """Per lead agency: tasks, tasks done, open tasks past due. One GROUP BY query."""
    today = today or dt.date.today()
    links = TaskAgency.objects.filter(
        role=TaskAgency.Role.LEAD,
        organisation__isnull=False,
        task__plan__issuer__path__startswith=province.path,
        task__plan__status=Plan.Status.PUBLISHED,
        task__plan__kind=Plan.Kind.PLAN,
    )
    if year:
        links = links.filter(task__plan__year=year)
    rows = (
        links.values("organisation_id", "organisation__name", "organisation__short_name")
        .annotate(
            total=Count("task_id", distinct=True),
            done=Count("task_id", filter=Q(task__status=Task.Status.DONE), distinct=True),
            overdue=Count(
                "task_id",
                filter=Q(task__status=Task.Status.OVERDUE)
                | Q(
                    task__due__lt=today,
                    task__status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS],
                ),
                distinct=True,
            ),
        )
        .order_by("organisation__name")
    )
    return [
        AgencyCompletion(
            r["organisation_id"],
            r["organisation__short_name"] or r["organisation__name"],
            r["total"],
            r["done"],
            r["overdue"],
        )
        for r in rows
    ]


def task_status_counts(province: Organisation, year: int | None = None) -> dict[str, int]:
    counts = {s: 0 for s in _task_statuses()}
    for r in _province_tasks(province, year).values("status").annotate(n=Count("id")):
        counts[r["status"]] = r["n"]
    return counts


def _task_statuses() -> list[str]:
    return list(Task.Status.values)


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    m = day.year * 12 + day.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def overdue_trend(
    province: Organisation, today: dt.date | None = None, months: int = 12
) -> list[tuple[dt.date, int]]:
    """(first day of month, open tasks whose due date had passed by the end of that month)
    for the last ``months`` months. Without a status history the tasks counted are those
    still open today: the trend shows when today's backlog fell due. Two queries."""
    today = today or dt.date.today()
    first = _month_start(today, months - 1)
    open_tasks = _province_tasks(province, None).filter(
        status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS, Task.Status.OVERDUE],
        due__isnull=False,
    )
    before = open_tasks.filter(due__lt=first).count()
    per_month = {
        r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]: r["n"]
        for r in open_tasks.filter(due__gte=first, due__lte=today)
        .annotate(month=TruncMonth("due"))
        .values("month")
        .annotate(n=Count("id"))
    }
    out: list[tuple[dt.date, int]] = []
    running = before
    for i in range(months - 1, -1, -1):
        m = _month_start(today, i)
        running += per_month.get(m, 0)
        out.append((m, running))
    return out


@dataclass
class KpiTable:
    definitions: list[KpiDefinition]
    rows: list[tuple[str, list[Decimal | None]]] = field(default_factory=list)
    totals: list[Aggregate] = field(default_factory=list)


def kpi_by_agency(province: Organisation, year: int) -> KpiTable:
    """KPI values of the province's organisations for ``year``: agency × indicator."""
    values = list(
        KpiValue.objects.filter(province=province, year=year, definition__active=True)
        .select_related("definition", "organisation")
        .order_by("organisation__name")
    )
    used = {v.definition_id for v in values}
    defs = [d for d in KpiDefinition.objects.filter(active=True) if d.pk in used]
    col = {d.pk: i for i, d in enumerate(defs)}
    by_org: dict[int, tuple[str, list[Decimal | None]]] = {}
    for v in values:
        name = v.organisation.short_name or v.organisation.name
        row = by_org.setdefault(v.organisation_id, (name, [None] * len(defs)))
        row[1][col[v.definition_id]] = v.value
    totals = [aggregate_values(d, [v for v in values if v.definition_id == d.pk]) for d in defs]
    return KpiTable(defs, sorted(by_org.values(), key=lambda r: r[0]), totals)


def province_campaigns(province: Organisation, limit: int = 5) -> list[ReportCampaign]:
    return list(
        ReportCampaign.objects.filter(scope=province)
        .select_related("owner", "scope")
        .order_by("-year", "-due", "-id")[:limit]
    )


DASHBOARD_TTL = 60  # seconds the figures are reused; see docs/adr/0006-national-aggregates.md


def dashboard_data(province: Organisation, year: int, today: dt.date) -> dict[str, Any]:
    """The province dashboard's figures (shared by the page and the API).

    A province-year holds thousands of tasks; the figures cost a few hundred milliseconds
    of aggregate queries, so they are computed once a minute per province and year and
    shared (at most a minute old). The permission check is the caller's, on every request.
    """
    from django.core.cache import cache

    key = f"reporting:dashboard:{province.pk}:{year}:{today.isoformat()}"
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        data = _dashboard_data(province, year, today)
        cache.set(key, data, DASHBOARD_TTL)
    return data


def _dashboard_data(province: Organisation, year: int, today: dt.date) -> dict[str, Any]:
    completion = completion_by_agency(province, year, today)
    trend = overdue_trend(province, today)
    kpi = kpi_by_agency(province, year)
    campaigns = [(c, completeness(c)) for c in province_campaigns(province)]
    return {
        "completion": completion,
        "trend": trend,
        "kpi": kpi,
        "campaigns": campaigns,
        "status_counts": task_status_counts(province, year),
    }
