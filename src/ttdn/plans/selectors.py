"""Reads of plans, imports and tasks, scoped: drafts stay inside the issuer's scope.

Also the read-only helpers the review screen and the publish service share: how an agency
name as written links to the directory (``agency_link``) and whether a deadline looks
doubtful.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from ttdn.accounts.permissions import access_object, get_scope, readable, writable
from ttdn.directory.models import Organisation, OrganisationKind, valid_on
from ttdn.directory.resolver import Match, resolve

from .models import Plan, PlanImport, Section, Task, TaskAgency

PUBLIC_PLAN = ~Q(status=Plan.Status.DRAFT)
OPEN_TASK_STATUSES = (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS, Task.Status.OVERDUE)


def plan_list(
    *,
    user: Any,
    q: str = "",
    year: int | None = None,
    status: str = "",
    kind: str = "",
    issuer: Organisation | None = None,
) -> QuerySet[Plan]:
    qs = readable(
        Plan.objects.select_related("issuer"),
        user,
        path_lookup="issuer__path",
        public_q=PUBLIC_PLAN,
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    return qs


def access_plan(user: Any, pk: Any, *, write: bool = False) -> Plan:
    return access_object(
        Plan.objects.select_related("issuer", "replaces"),
        user,
        pk,
        path_lookup="issuer__path",
        public_q=PUBLIC_PLAN,
        write=write,
    )


def plan_issuers(*, user: Any) -> QuerySet[Organisation]:
    """Organisations that issued a plan the user can read (for the filter)."""
    return Organisation.objects.filter(
        pk__in=plan_list(user=user).values("issuer_id").distinct()
    ).order_by("name")


def writable_plans(*, user: Any) -> QuerySet[Plan]:
    return writable(Plan.objects.select_related("issuer"), user, path_lookup="issuer__path")


def section_list(*, user: Any, plan: Plan | None = None) -> QuerySet[Section]:
    qs = readable(
        Section.objects.select_related("plan"),
        user,
        path_lookup="plan__issuer__path",
        public_q=~Q(plan__status=Plan.Status.DRAFT),
    )
    return qs.filter(plan=plan) if plan is not None else qs


# --- Tasks ------------------------------------------------------------------------------


def task_list(
    *,
    user: Any,
    plan: Plan | None = None,
    organisation: Organisation | None = None,
    section: str = "",
    status: str = "",
    due_after: dt.date | None = None,
    due_before: dt.date | None = None,
    overdue: bool = False,
    mine: bool = False,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Task]:
    """Tasks the user can read, filtered.

    ``section`` matches the section number and its subsections ("II" → II, II.1, …);
    ``overdue``: due before today and not done or cancelled (or marked overdue);
    ``mine``: the lead or a coordinating agency is one of the user's home organisations.
    """
    qs = readable(
        Task.objects.select_related("plan", "plan__issuer", "section"),
        user,
        path_lookup="plan__issuer__path",
        public_q=~Q(plan__status=Plan.Status.DRAFT),
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    if organisation is not None:
        qs = qs.filter(agencies__organisation=organisation)
    if section:
        qs = qs.filter(Q(section__number=section) | Q(section__number__startswith=f"{section}."))
    if status:
        qs = qs.filter(status=status)
    if due_after is not None:
        qs = qs.filter(due__gte=due_after)
    if due_before is not None:
        qs = qs.filter(due__lte=due_before)
    if overdue:
        day = today or dt.date.today()
        qs = qs.filter(
            Q(status=Task.Status.OVERDUE)
            | Q(due__lt=day, status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS])
        )
    if mine:
        homes = get_scope(user).home_org_ids
        qs = qs.filter(agencies__organisation_id__in=homes)
    if q:
        qs = qs.filter(summary__icontains=q)
    if organisation is not None or mine:
        qs = qs.distinct()
    return qs.order_by("plan__year", "plan_id", "position")


def task_agencies(*, user: Any) -> QuerySet[Organisation]:
    """Organisations linked to a task the user can read (for the filter)."""
    ids = TaskAgency.objects.filter(
        task__in=task_list(user=user), organisation__isnull=False
    ).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def can_write_task(user: Any, task: Task) -> bool:
    """Whoever writes for the plan's issuer, or for one of the task's lead agencies."""
    scope = get_scope(user)
    if scope.can_write_path(task.plan.issuer.path):
        return True
    leads = task.agencies.filter(role=TaskAgency.Role.LEAD, organisation__isnull=False)
    return any(
        a.organisation is not None and scope.can_write_path(a.organisation.path)
        for a in leads.select_related("organisation")
    )


def access_task(user: Any, pk: Any, *, write: bool = False) -> Task:
    """One task by id; out of the user's scope (or not writable with ``write``) is 404."""
    task = access_object(
        Task.objects.select_related("plan", "plan__issuer", "section"),
        user,
        pk,
        path_lookup="plan__issuer__path",
        public_q=~Q(plan__status=Plan.Status.DRAFT),
    )
    if write and not can_write_task(user, task):
        raise Http404
    return task


# --- Imports ----------------------------------------------------------------------------


def plan_import_list(*, user: Any) -> QuerySet[PlanImport]:
    qs = readable(
        PlanImport.objects.select_related("organisation", "created_by", "plan"),
        user,
        path_lookup="organisation__path",
    )
    return qs.filter(status=PlanImport.Status.REVIEW)


def access_plan_import(user: Any, pk: Any, *, write: bool = False) -> PlanImport:
    return access_object(
        PlanImport.objects.select_related("organisation", "issuer", "plan", "replaces"),
        user,
        pk,
        path_lookup="organisation__path",
        write=write,
    )


def issuer_choices(*, user: Any, kind: str = Plan.Kind.PLAN) -> QuerySet[Organisation]:
    """Organisations the user may publish a plan for (a guidance may come from anyone)."""
    qs = Organisation.objects.exclude(kind=OrganisationKind.COMMUNE)
    if kind == Plan.Kind.GUIDANCE:
        return qs.filter(
            Q(kind__in=[OrganisationKind.NATIONAL_AGENCY, OrganisationKind.PEOPLES_COMMITTEE])
            | Q(pk__in=writable(Organisation.objects.all(), user, path_lookup="path").values("pk"))
        ).order_by("path")
    return writable(qs, user, path_lookup="path").order_by("path")


def import_province(plan_import: PlanImport) -> Organisation | None:
    org = plan_import.issuer or plan_import.organisation
    return org.province()


def import_date(data: Mapping[str, Any]) -> dt.date:
    value = data.get("issued_date")
    if value:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            pass
    year = data.get("year")
    if isinstance(year, int) and 1945 < year < 2200:
        return dt.date(year, 1, 1)
    return dt.date.today()


# --- Agency links -----------------------------------------------------------------------

LEAVE_UNLINKED = 0


@dataclass
class AgencyLink:
    """How one agency name as written links to the directory."""

    name: str
    status: str  # resolved, ambiguous, unresolved, collective, chosen, left
    organisation_id: int | None = None
    organisation_name: str = ""
    confidence: float = 0.0
    is_collective: bool = False
    matches: list[Match] = field(default_factory=list)
    note: str = ""

    @property
    def needs_review(self) -> bool:
        return self.status in {"ambiguous", "unresolved"} or (
            self.status == "resolved" and self.confidence < 0.9
        )

    @property
    def is_linked(self) -> bool:
        return self.organisation_id is not None


def agency_link(
    name: str,
    *,
    province: Organisation | None,
    on: dt.date,
    choices: Mapping[str, int] | None = None,
) -> AgencyLink:
    """The directory link of ``name``: the reviewer's choice first, then the resolver."""
    res = resolve(name, province=province, on=on)
    choice = (choices or {}).get(name)
    if choice is not None:
        if int(choice) == LEAVE_UNLINKED:
            return AgencyLink(name, "left", matches=res.matches, is_collective=res.is_collective)
        org = Organisation.objects.filter(pk=int(choice)).first()
        if org is not None:
            return AgencyLink(name, "chosen", org.pk, org.name, 1.0, matches=res.matches)
    if res.is_collective:
        conf = max((m.confidence for m in res.matches), default=0.0)
        return AgencyLink(
            name,
            "collective",
            confidence=conf,
            is_collective=True,
            matches=res.matches,
            note=res.note,
        )
    if res.status == "resolved" and res.best is not None:
        best = res.best
        return AgencyLink(
            name,
            "resolved",
            best.organisation_id,
            best.name,
            best.confidence,
            matches=res.matches,
            note=best.reason,
        )
    conf = max((m.confidence for m in res.matches), default=0.0)
    return AgencyLink(name, res.status, confidence=conf, matches=res.matches, note=res.note)


def agency_links(
    names: Iterable[str],
    *,
    province: Organisation | None,
    on: dt.date,
    choices: Mapping[str, int] | None = None,
) -> dict[str, AgencyLink]:
    out: dict[str, AgencyLink] = {}
    for name in names:
        if name and name not in out:
            out[name] = agency_link(name, province=province, on=on, choices=choices)
    return out


def data_agency_names(data: Mapping[str, Any]) -> list[str]:
    """Every agency name of a parsed structure, in order of first appearance."""
    seen: dict[str, None] = {}
    for task in data.get("tasks") or []:
        for key in ("lead", "coordinating"):
            for name in task.get(key) or []:
                if name:
                    seen.setdefault(name, None)
    return list(seen)


def province_organisations(province: Organisation | None, on: dt.date) -> QuerySet[Organisation]:
    """Organisations a reviewer may pick for a name: the province's, valid on the date."""
    qs = Organisation.objects.filter(valid_on(on)).exclude(kind=OrganisationKind.COMMUNE)
    if province is None:
        return qs.filter(kind=OrganisationKind.NATIONAL_AGENCY).order_by("name")
    return qs.filter(
        Q(path__startswith=province.path) | Q(kind=OrganisationKind.NATIONAL_AGENCY)
    ).order_by("path")


def is_doubtful_deadline(task: Mapping[str, Any]) -> bool:
    """A deadline written but not understood (no date, no recurrence), or flagged."""
    if task.get("deadline_flagged"):
        return True
    return bool(task.get("deadline")) and not task.get("due") and not task.get("recurrence")


def section_tree(sections: Iterable[Any], *, number: Any = None) -> list[dict[str, Any]]:
    """Nest items that have a dotted ``number`` ("II", "II.1", "II.1.a") into a tree.

    ``number`` reads the number of an item (default: ``item.number`` or ``item["number"]``).
    An item whose parent number is missing hangs from its nearest present ancestor.
    """

    def get(item: Any) -> str:
        if number is not None:
            return str(number(item))
        return str(item["number"] if isinstance(item, Mapping) else item.number)

    roots: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for item in sections:
        num = get(item)
        node = {"item": item, "number": num, "children": [], "depth": num.count(".")}
        parts = num.split(".")
        parent = None
        for cut in range(len(parts) - 1, 0, -1):
            parent = nodes.get(".".join(parts[:cut]))
            if parent is not None:
                break
        (parent["children"] if parent is not None else roots).append(node)
        nodes.setdefault(num, node)
    return roots
