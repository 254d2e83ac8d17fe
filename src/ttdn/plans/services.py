"""Writes to plans: upload → review → publish, copies, replacements, versions, task status.

Each function takes the acting user first, runs in one transaction, checks the actor's
scope and writes the audit row inside it. Views, the API and the demo call these.

An uploaded document is parsed from a temporary file that is gone when the parse ends:
a refused document (state secret, unreadable, too large) leaves nothing behind, and an
accepted one is kept only as its parsed structure and extracted text.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record, snapshot
from ttdn.core.text import squash
from ttdn.directory.models import Organisation, OrganisationKind, valid_on
from ttdn.directory.resolver import resolve
from ttdn.directory.services import SYSTEM

from .export import plan_data
from .models import Plan, PlanImport, PlanVersion, Section, Task, TaskAgency
from .parsing import DocumentTooLarge, UnsupportedFormat, extract_text, parse_file
from .selectors import (
    LEAVE_UNLINKED,
    agency_links,
    data_agency_names,
    import_date,
    issuer_choices,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
_CHUNK = 64 * 1024


# --- Scope ------------------------------------------------------------------------------


def _check_write(actor: Any, org: Organisation) -> None:
    if actor == SYSTEM:
        return
    if not get_scope(actor).can_write_path(org.path):
        raise PermissionDenied(_("You may not change plans of this organisation."))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Parsing an upload ------------------------------------------------------------------


def parse_upload(filename: str, content: bytes | Iterable[bytes]) -> tuple[dict[str, Any], str]:
    """Parse an uploaded document; returns (contract dict, extracted text).

    Raises a ``DocumentError`` (with a one-line Vietnamese ``message``) for a file that is
    too large, of another format, or refused by the parser. The bytes live only in a
    temporary file deleted on return.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UnsupportedFormat(
            "Định dạng tệp chưa được hỗ trợ; hãy gửi tệp .docx, .pdf, .txt hoặc .md."
        )
    chunks: Iterable[bytes] = [content] if isinstance(content, bytes) else content
    with tempfile.NamedTemporaryFile(suffix=suffix, prefix="ttdn-plan-") as tmp:
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise DocumentTooLarge()
            tmp.write(chunk)
        tmp.flush()
        data = parse_file(tmp.name)
        text = extract_text(tmp.name)
    return data, text


# --- Structure helpers ------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [squash(str(v)) for v in (value or []) if str(v).strip()]


def normalize_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A contract dict with clean types; unknown keys (place, outputs, …) are kept."""
    out = dict(data)
    for key in ("title", "number", "issuer", "report_deadline"):
        value = out.get(key)
        out[key] = squash(str(value)) if value else None
    issued = _date(out.get("issued_date"))
    out["issued_date"] = issued.isoformat() if issued else None
    year = out.get("year")
    try:
        out["year"] = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        out["year"] = None
    out["legal_bases"] = _lines(out.get("legal_bases"))
    sections = []
    for s in out.get("sections") or []:
        number = squash(str(s.get("number") or "")).strip(".")
        if number:
            sections.append({**s, "number": number, "heading": squash(str(s.get("heading") or ""))})
    out["sections"] = sections
    tasks = []
    for t in out.get("tasks") or []:
        summary = squash(str(t.get("summary") or ""))
        if not summary:
            continue
        due = _date(t.get("due"))
        tasks.append(
            {
                **t,
                "section": squash(str(t.get("section") or "")).strip(".") or None,
                "summary": summary,
                "lead": _lines(t.get("lead")),
                "coordinating": _lines(t.get("coordinating")),
                "deadline": squash(str(t.get("deadline") or "")) or None,
                "due": due.isoformat() if due else None,
                "recurrence": squash(str(t.get("recurrence") or "")) or None,
            }
        )
    out["tasks"] = tasks
    return out


def peoples_committee(province: Organisation | None, on: dt.date) -> Organisation | None:
    if province is None:
        return None
    return (
        Organisation.objects.filter(parent=province, kind=OrganisationKind.PEOPLES_COMMITTEE)
        .filter(valid_on(on))
        .first()
    )


def suggest_issuer(
    *, actor: Any, data: Mapping[str, Any], organisation: Organisation, kind: str
) -> Organisation:
    """The parsed issuer if the directory knows it (and the actor may publish for it),
    else the People's Committee of the uploader's province, else the uploader's own
    organisation."""
    on = import_date(data)
    province = organisation.province()
    allowed = issuer_choices(user=actor, kind=kind) if actor != SYSTEM else None
    candidates: list[Organisation] = []
    if data.get("issuer"):
        res = resolve(str(data["issuer"]), province=province, on=on)
        if res.status == "resolved" and res.best is not None and not res.is_collective:
            org = Organisation.objects.filter(pk=res.best.organisation_id).first()
            if org is not None:
                candidates.append(org)
    committee = peoples_committee(province, on)
    if committee is not None:
        candidates.append(committee)
    for org in candidates:
        if allowed is None or allowed.filter(pk=org.pk).exists():
            return org
    return organisation


def _link_rows(
    task: Task,
    names: Iterable[tuple[str, str]],
    links: Mapping[str, Any],
) -> list[TaskAgency]:
    rows = []
    positions: dict[str, int] = {TaskAgency.Role.LEAD: 0, TaskAgency.Role.COORDINATING: 0}
    for role, name in names:
        link = links[name]
        rows.append(
            TaskAgency(
                task=task,
                role=role,
                name_as_written=name[:300],
                organisation_id=link.organisation_id,
                confidence=link.confidence,
                is_collective=link.is_collective,
                position=positions[role],
            )
        )
        positions[role] += 1
    return rows


def _write_structure(
    plan: Plan, data: Mapping[str, Any], *, choices: Mapping[str, int]
) -> tuple[int, int]:
    """(Re)create the plan's sections, tasks and agency links from a contract dict."""
    plan.tasks.all().delete()
    plan.sections.all().delete()
    sections: dict[str, Section] = {}
    for pos, s in enumerate(data.get("sections") or []):
        if s["number"] in sections:
            continue
        sections[s["number"]] = Section.objects.create(
            plan=plan, number=s["number"][:40], heading=s.get("heading") or "", position=pos
        )
    on = plan.issued_date or (dt.date(plan.year, 1, 1) if plan.year else dt.date.today())
    links = agency_links(
        data_agency_names(data), province=plan.issuer.province(), on=on, choices=choices
    )
    rows: list[TaskAgency] = []
    tasks = data.get("tasks") or []
    for pos, t in enumerate(tasks):
        task = Task.objects.create(
            plan=plan,
            section=sections.get(t.get("section") or ""),
            summary=t["summary"],
            deadline_text=(t.get("deadline") or "")[:255],
            due=_date(t.get("due")),
            recurrence=(t.get("recurrence") or "")[:200],
            status=t.get("status") or Task.Status.NOT_STARTED,
            position=pos,
        )
        names = [(TaskAgency.Role.LEAD, n) for n in t.get("lead") or []]
        names += [(TaskAgency.Role.COORDINATING, n) for n in t.get("coordinating") or []]
        rows += _link_rows(task, names, links)
    TaskAgency.objects.bulk_create(rows)
    return len(sections), len(tasks)


def _add_version(plan: Plan, actor: Any, note: str) -> PlanVersion:
    last = plan.versions.aggregate(n=Max("number"))["n"] or 0
    return PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        data=plan_data(plan, detailed=True),
        note=note[:255],
        created_by=_user(actor),
    )


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("issuer").get(pk=plan.pk)


# --- Imports ----------------------------------------------------------------------------


def plan_import_create(
    *,
    actor: Any,
    filename: str,
    content: bytes | Iterable[bytes],
    kind: str = Plan.Kind.PLAN,
    organisation: Organisation | None = None,
) -> PlanImport:
    """Parse an uploaded document and keep its structure for review.

    ``organisation`` owns the import (default: the actor's organisation). A refused
    document raises its ``DocumentError`` and nothing is stored.
    """
    owner = organisation or getattr(actor, "organisation", None)
    if owner is None:
        raise ValidationError(_("Your account has no organisation; ask an administrator."))
    _check_write(actor, owner)
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of plan.")})
    parsed, text = parse_upload(filename, content)
    data = normalize_data(parsed)
    with transaction.atomic():
        issuer = suggest_issuer(actor=actor, data=data, organisation=owner, kind=kind)
        pi = PlanImport.objects.create(
            organisation=owner,
            kind=kind,
            filename=Path(filename).name[:255],
            data=data,
            source_text=text,
            issuer=issuer,
            created_by=_user(actor),
        )
        audit_record(
            actor=actor,
            action="create",
            obj=pi,
            after={
                "filename": pi.filename,
                "kind": kind,
                "organisation": owner.pk,
                "issuer": issuer.pk,
                "sections": len(data["sections"]),
                "tasks": len(data["tasks"]),
            },
        )
    return pi


def _check_issuer(actor: Any, issuer: Organisation, kind: str) -> None:
    if actor == SYSTEM:
        return
    if not issuer_choices(user=actor, kind=kind).filter(pk=issuer.pk).exists():
        raise ValidationError(
            {"issuer": _("You may not publish plans for “%(name)s”.") % {"name": issuer.name}}
        )


@transaction.atomic
def plan_import_update(
    *,
    actor: Any,
    plan_import: PlanImport,
    data: Mapping[str, Any] | None = None,
    issuer: Organisation | None = None,
    kind: str | None = None,
    agency_choices: Mapping[str, int | None] | None = None,
    replaces: Plan | bool | None = False,
) -> PlanImport:
    """Save the reviewer's edits. ``agency_choices``: name → organisation id, 0 to leave
    the name unlinked, None to drop an earlier choice. ``replaces=False`` keeps it."""
    pi = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    _check_write(actor, pi.organisation)
    if pi.status != PlanImport.Status.REVIEW:
        raise ValidationError(_("This import has already been published."))
    before = {
        "data": pi.data,
        "issuer": pi.issuer_id,
        "kind": pi.kind,
        "agency_choices": pi.agency_choices,
        "replaces": pi.replaces_id,
    }
    if kind is not None:
        if kind not in Plan.Kind.values:
            raise ValidationError({"kind": _("Unknown kind of plan.")})
        pi.kind = kind
    if data is not None:
        pi.data = normalize_data(data)
    if issuer is not None:
        _check_issuer(actor, issuer, pi.kind)
        pi.issuer = issuer
    if agency_choices is not None:
        choices = dict(pi.agency_choices)
        wanted = {int(v) for v in agency_choices.values() if v}
        known = set(Organisation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for name, value in agency_choices.items():
            if value is None:
                choices.pop(name, None)
            elif int(value) == LEAVE_UNLINKED or int(value) in known:
                choices[name] = int(value)
            else:
                raise ValidationError(
                    _("Unknown organisation chosen for “%(name)s”.") % {"name": name}
                )
        pi.agency_choices = choices
    if replaces is not False:
        if replaces is not None and not isinstance(replaces, bool):
            _check_write(actor, replaces.issuer)
            pi.replaces = replaces
        else:
            pi.replaces = None
    pi.save()
    after = {
        "data": pi.data,
        "issuer": pi.issuer_id,
        "kind": pi.kind,
        "agency_choices": pi.agency_choices,
        "replaces": pi.replaces_id,
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        if "data" in changed:  # the whole structure is too big for the log: say what moved
            changed["data"] = [
                "…",
                f"{len(pi.data['sections'])} sections, {len(pi.data['tasks'])} tasks",
            ]
        audit_record(actor=actor, action="update", obj=pi, changes=changed)
    return pi


@transaction.atomic
def plan_import_discard(*, actor: Any, plan_import: PlanImport) -> None:
    pi = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    _check_write(actor, pi.organisation)
    pk, label = pi.pk, str(pi)
    pi.delete()
    audit_record(
        actor=actor,
        action="delete",
        object_type="plans.planimport",
        object_id=str(pk),
        object_repr=label,
        changes={},
    )


@transaction.atomic
def plan_import_from_plan(*, actor: Any, plan: Plan) -> PlanImport:
    """Open a draft plan (e.g. a copy) in the review screen; publishing it updates the plan."""
    plan = _lock(plan)
    _check_write(actor, plan.issuer)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("Only a draft plan can be edited in the review screen."))
    existing = plan.imports.filter(status=PlanImport.Status.REVIEW).first()
    if existing is not None:
        return existing
    choices: dict[str, int] = {}
    for a in TaskAgency.objects.filter(task__plan=plan):
        if a.organisation_id:
            choices.setdefault(a.name_as_written, a.organisation_id)
    pi = PlanImport.objects.create(
        organisation=plan.issuer,
        kind=plan.kind,
        filename=str(plan)[:255],
        data=plan_data(plan),
        source_text=plan.source_text,
        issuer=plan.issuer,
        agency_choices=choices,
        replaces=plan.replaces,
        plan=plan,
        created_by=_user(actor),
    )
    audit_record(actor=actor, action="create", obj=pi, after={"plan": plan.pk})
    return pi


# --- Publishing -------------------------------------------------------------------------


@transaction.atomic
def plan_publish(*, actor: Any, plan_import: PlanImport, replaces: Plan | None = None) -> Plan:
    """Publish a reviewed import: plan, sections, tasks and agency links, a version, audit.

    Agency names link through the resolver with the issuer's province and the issue date,
    unless the reviewer chose otherwise. ``replaces`` (or the import's own) is marked
    replaced by the new plan.
    """
    pi = (
        PlanImport.objects.select_for_update(of=("self",))
        .select_related("organisation", "issuer", "plan")
        .get(pk=plan_import.pk)
    )
    _check_write(actor, pi.organisation)
    if pi.status != PlanImport.Status.REVIEW:
        raise ValidationError(_("This import has already been published."))
    data = normalize_data(pi.data)
    issuer = pi.issuer or suggest_issuer(
        actor=actor, data=data, organisation=pi.organisation, kind=pi.kind
    )
    _check_issuer(actor, issuer, pi.kind)
    if pi.kind == Plan.Kind.PLAN:
        _check_write(actor, issuer)
    title = data.get("title") or Path(pi.filename).stem
    header = {
        "issuer": issuer,
        "kind": pi.kind,
        "title": title[:500],
        "number": (data.get("number") or "")[:64],
        "year": data.get("year"),
        "issued_date": _date(data.get("issued_date")),
        "report_deadline": (data.get("report_deadline") or "")[:255],
        "legal_bases": data.get("legal_bases") or [],
        "source_text": pi.source_text,
        "status": Plan.Status.PUBLISHED,
    }
    if pi.plan is not None:
        plan = _lock(pi.plan)
        if plan.status != Plan.Status.DRAFT:
            raise ValidationError(_("This plan has already been published."))
        before = snapshot(plan)
        for key, value in header.items():
            setattr(plan, key, value)
        plan.save()
        action, audit_before = "publish", before
    else:
        plan = Plan.objects.create(created_by=_user(actor), **header)
        action, audit_before = "create", None
    n_sections, n_tasks = _write_structure(plan, data, choices=pi.agency_choices)
    audit_record(
        actor=actor,
        action=action,
        obj=plan,
        changes={
            **{
                k: v
                for k, v in _diff(audit_before, snapshot(plan, exclude=("source_text",))).items()
            },
            "structure": [None, f"{n_sections} sections, {n_tasks} tasks"],
            "import": [None, pi.pk],
        },
    )
    old = replaces or pi.replaces
    if old is not None:
        _replace(actor, plan, old)
    _add_version(plan, actor, _("Published from %(file)s") % {"file": pi.filename})
    pi.status = PlanImport.Status.PUBLISHED
    pi.plan = plan
    pi.issuer = issuer
    pi.save(update_fields=["status", "plan", "issuer", "updated_at"])
    audit_record(actor=actor, action="update", obj=pi, changes={"status": ["review", "published"]})
    return plan


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    before = before or {}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@transaction.atomic
def plan_publish_draft(*, actor: Any, plan: Plan) -> Plan:
    """Publish a draft plan as it stands (e.g. a copy for the new year)."""
    plan = _lock(plan)
    _check_write(actor, plan.issuer)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("This plan has already been published."))
    plan.status = Plan.Status.PUBLISHED
    plan.save(update_fields=["status", "updated_at"])
    plan.imports.filter(status=PlanImport.Status.REVIEW).delete()
    audit_record(
        actor=actor, action="publish", obj=plan, changes={"status": ["draft", "published"]}
    )
    if plan.replaces is not None and plan.replaces.status != Plan.Status.REPLACED:
        _replace(actor, plan, plan.replaces)
    _add_version(plan, actor, _("Published"))
    return plan


PLAN_FIELDS = ("title", "number", "year", "issued_date", "report_deadline", "legal_bases", "kind")


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, **changes: Any) -> Plan:
    """Edit a plan's header fields; every edit adds a version."""
    plan = _lock(plan)
    _check_write(actor, plan.issuer)
    before = snapshot(plan, exclude=("source_text",))
    for key, value in changes.items():
        if key not in PLAN_FIELDS:
            raise ValidationError(_("Unknown field: %(field)s") % {"field": key})
        setattr(plan, key, value)
    if not squash(plan.title or ""):
        raise ValidationError({"title": _("The title is required.")})
    plan.save()
    after = snapshot(plan, exclude=("source_text",))
    if before != after:
        audit_record(actor=actor, action="update", obj=plan, before=before, after=after)
        _add_version(plan, actor, _("Edited"))
    return plan


def _replace(actor: Any, new: Plan, old: Plan) -> None:
    old = _lock(old)
    _check_write(actor, old.issuer)
    if old.pk == new.pk:
        raise ValidationError(_("A plan cannot replace itself."))
    if new.replaces_id != old.pk:
        Plan.objects.filter(pk=new.pk).update(replaces=old)
        new.replaces = old
        audit_record(actor=actor, action="update", obj=new, changes={"replaces": [None, old.pk]})
    if new.status != Plan.Status.DRAFT and old.status != Plan.Status.REPLACED:
        status = old.status
        old.status = Plan.Status.REPLACED
        old.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="update", obj=old, changes={"status": [status, old.status]}
        )
        _add_version(old, actor, _("Replaced by %(plan)s") % {"plan": str(new)[:200]})


@transaction.atomic
def plan_replace(*, actor: Any, plan: Plan, old: Plan) -> Plan:
    """``plan`` replaces ``old``: the link is set and, once ``plan`` is published, the
    older plan's status becomes "replaced"."""
    plan = _lock(plan)
    _check_write(actor, plan.issuer)
    _replace(actor, plan, old)
    _add_version(plan, actor, _("Replaces %(plan)s") % {"plan": str(old)[:200]})
    return plan


# --- Copy into a new year ---------------------------------------------------------------


def shift_year(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def replace_year(text: str, old: int | None, new: int) -> str:
    """Replace the old year where it stands as a year ("năm 2025", "15/11/2025")."""
    if not text or old is None:
        return text
    return re.sub(rf"(?<!\d){old}(?!\d)", str(new), text)


@transaction.atomic
def plan_copy_to_year(*, actor: Any, plan: Plan, year: int) -> Plan:
    """A new draft plan for ``year``: same sections and tasks, due dates moved by the
    difference in years, the old year replaced in titles and deadlines, statuses reset."""
    _check_write(actor, plan.issuer)
    if not 1945 < year < 2200:
        raise ValidationError({"year": _("Enter a year such as 2027.")})
    old_year = plan.year or (plan.issued_date.year if plan.issued_date else None)
    delta = year - old_year if old_year else 0
    copy = Plan.objects.create(
        issuer=plan.issuer,
        kind=plan.kind,
        title=replace_year(plan.title, old_year, year)[:500],
        number="",
        year=year,
        issued_date=None,
        status=Plan.Status.DRAFT,
        report_deadline=replace_year(plan.report_deadline, old_year, year)[:255],
        legal_bases=list(plan.legal_bases or []),
        source_text="",
        created_by=_user(actor),
    )
    sections: dict[int, Section] = {}
    for s in plan.sections.all():
        sections[s.pk] = Section.objects.create(
            plan=copy,
            number=s.number,
            heading=replace_year(s.heading, old_year, year),
            position=s.position,
        )
    rows: list[TaskAgency] = []
    for t in plan.tasks.prefetch_related("agencies"):
        task = Task.objects.create(
            plan=copy,
            section=sections.get(t.section_id) if t.section_id else None,
            summary=replace_year(t.summary, old_year, year),
            deadline_text=replace_year(t.deadline_text, old_year, year)[:255],
            due=shift_year(t.due, delta),
            recurrence=t.recurrence,
            status=Task.Status.NOT_STARTED,
            position=t.position,
        )
        rows += [
            TaskAgency(
                task=task,
                role=a.role,
                name_as_written=a.name_as_written,
                organisation_id=a.organisation_id,
                confidence=a.confidence,
                is_collective=a.is_collective,
                position=a.position,
            )
            for a in t.agencies.all()
        ]
    TaskAgency.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="create",
        obj=copy,
        changes={"copied_from": [None, plan.pk], "year": [old_year, year]},
    )
    _add_version(copy, actor, _("Copied from %(plan)s") % {"plan": str(plan)[:200]})
    return copy


# --- Tasks ------------------------------------------------------------------------------


@transaction.atomic
def task_set_status(*, actor: Any, task: Task, status: str) -> Task:
    """Change a task's status: by those who write for the issuer or a lead agency."""
    from .selectors import can_write_task

    task = Task.objects.select_for_update().select_related("plan__issuer").get(pk=task.pk)
    if actor != SYSTEM and not can_write_task(actor, task):
        raise PermissionDenied(_("You may not change this task."))
    if status not in Task.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if task.plan.status == Plan.Status.DRAFT and status != Task.Status.NOT_STARTED:
        raise ValidationError({"status": _("Publish the plan before following up its tasks.")})
    if task.status != status:
        old = task.status
        task.status = status
        task.save(update_fields=["status"])
        audit_record(actor=actor, action="update", obj=task, changes={"status": [old, status]})
    return task
