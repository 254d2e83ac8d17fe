"""Plan pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation

from . import export, selectors, services
from .forms import (
    CopyForm,
    CoverageForm,
    PlanFilterForm,
    PlanHeaderForm,
    ReplaceForm,
    SectionFormSet,
    TaskFilterForm,
    TaskForm,
    TaskFormSet,
    TaskStatusForm,
    UploadForm,
)
from .guidance import coverage_summary, guidance_coverage
from .models import Plan, PlanImport, Task, TaskAgency
from .parsing import DocumentError

_AGENCIES = Prefetch("agencies", queryset=TaskAgency.objects.select_related("organisation"))


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _can_upload(user: Any) -> bool:
    scope = get_scope(user)
    return scope.write_all or bool(scope.write_paths)


# --- Plans ------------------------------------------------------------------------------


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None, issuers=selectors.plan_issuers(user=request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        cd = form.cleaned_data
        filters = {
            "q": cd["q"] or "",
            "year": cd["year"],
            "status": cd["status"] or "",
            "kind": cd["kind"] or "",
            "issuer": cd["issuer"],
        }
    plans = (
        selectors.plan_list(user=request.user, **filters)
        .annotate(n_tasks=Count("tasks"))
        .order_by("-year", "-issued_date", "-id")
    )
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {"form": form, "page_obj": page, "can_upload": _can_upload(request.user)},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    tasks = list(selectors.task_list(user=request.user, plan=plan).prefetch_related(_AGENCIES))
    by_section: dict[int | None, list[Task]] = {}
    for t in tasks:
        by_section.setdefault(t.section_id, []).append(t)
    sections = list(plan.sections.all())
    tree = selectors.section_tree(sections)
    _attach(tree, by_section)
    can_write = get_scope(request.user).can_write_path(plan.issuer.path)
    guidances = selectors.plan_list(user=request.user, kind=Plan.Kind.GUIDANCE).exclude(pk=plan.pk)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tree": tree,
            "loose_tasks": by_section.get(None, []),
            "n_tasks": len(tasks),
            "versions": plan.versions.select_related("created_by"),
            "replaced_by": selectors.plan_list(user=request.user).filter(replaces=plan),
            "can_write": can_write,
            "copy_form": CopyForm(initial={"year": (plan.year or dt.date.today().year) + 1}),
            "has_guidance": plan.kind == Plan.Kind.PLAN and guidances.exists(),
            "reviews": plan.imports.filter(status=PlanImport.Status.REVIEW),
        },
    )


def _attach(nodes: list[dict[str, Any]], by_section: dict[int | None, list[Task]]) -> None:
    for node in nodes:
        node["tasks"] = by_section.get(node["item"].pk, [])
        _attach(node["children"], by_section)


@login_required
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    if fmt == "xlsx":
        resp = HttpResponse(export.plan_xlsx(plan), content_type=export.XLSX_CONTENT_TYPE)
    elif fmt == "json":
        resp = JsonResponse(
            export.plan_data(plan), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    else:
        raise Http404
    resp["Content-Disposition"] = f'attachment; filename="{export.export_filename(plan, fmt)}"'
    return resp


@login_required
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    version = get_object_or_404(plan.versions, number=number)
    resp = JsonResponse(version.data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    resp["Content-Disposition"] = f'inline; filename="plan-{plan.pk}-v{number}.json"'
    return resp


@login_required
@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk, write=True)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a year such as 2027."))
        return redirect("plans:detail", pk=plan.pk)
    try:
        copy = services.plan_copy_to_year(
            actor=request.user, plan=plan, year=form.cleaned_data["year"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("plans:detail", pk=plan.pk)
    messages.success(
        request, _("A draft copy for %(year)s has been created.") % {"year": copy.year}
    )
    return redirect("plans:detail", pk=copy.pk)


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk, write=True)
    try:
        services.plan_publish_draft(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("The plan has been published."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk, write=True)
    try:
        pi = services.plan_import_from_plan(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("plans:detail", pk=plan.pk)
    return redirect("plans:review", pk=pi.pk)


@login_required
def plan_replace(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk, write=True)
    candidates = (
        selectors.writable_plans(user=request.user)
        .exclude(pk=plan.pk)
        .exclude(status=Plan.Status.REPLACED)
        .filter(kind=plan.kind)
    )
    form = ReplaceForm(request.POST or None, plans=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_replace(actor=request.user, plan=plan, old=form.cleaned_data["old"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The replaced plan is linked."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_confirm_replace.html", {"plan": plan, "form": form})


@login_required
def plan_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.access_plan(request.user, pk)
    guidances = selectors.plan_list(user=request.user, kind=Plan.Kind.GUIDANCE).exclude(pk=plan.pk)
    form = CoverageForm(request.GET or None, guidances=guidances)
    guidance = form.cleaned_data["guidance"] if form.is_valid() else guidances.first()
    if guidance is not None and not form.is_bound:
        form = CoverageForm(initial={"guidance": guidance.pk}, guidances=guidances)
    rows = guidance_coverage(guidance, plan) if guidance is not None else []
    return render(
        request,
        "plans/coverage.html",
        {
            "plan": plan,
            "guidance": guidance,
            "form": form,
            "rows": rows,
            "summary": coverage_summary(rows),
        },
    )


# --- Upload and review ------------------------------------------------------------------


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    if not _can_upload(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size and upload.size > services.MAX_UPLOAD_BYTES:
                raise services.DocumentTooLarge()
            pi = services.plan_import_create(
                actor=request.user,
                filename=upload.name,
                content=upload.chunks(),
                kind=form.cleaned_data["kind"],
            )
        except DocumentError as exc:
            form.add_error("file", exc.message)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The document has been read. Check it, then publish."))
            return redirect("plans:review", pk=pi.pk)
    return render(
        request,
        "plans/upload.html",
        {"form": form, "imports": selectors.plan_import_list(user=request.user)[:10]},
    )


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.plan_import_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "plans/import_list.html",
        {"page_obj": page, "can_upload": _can_upload(request.user)},
    )


def _agency_choices(post: Any) -> dict[str, int | None]:
    """name → organisation id / 0 (leave unlinked) / None (automatic), from the review."""
    out: dict[str, int | None] = {}
    for key in post:
        if key.startswith("agency-") and key.endswith("-name"):
            name = post.get(key, "")
            value = post.get(key.removesuffix("-name"), "")
            if name:
                out[name] = int(value) if str(value).isdigit() else None
    return out


def _review_forms(request: HttpRequest, pi: PlanImport) -> tuple[PlanHeaderForm, Any, Any]:
    issuers = selectors.issuer_choices(user=request.user, kind=pi.kind)
    if pi.issuer_id:
        issuers = Organisation.objects.filter(
            Q(pk__in=issuers.values("pk")) | Q(pk=pi.issuer_id)
        ).order_by("path")
    plans = (
        selectors.writable_plans(user=request.user)
        .exclude(status=Plan.Status.REPLACED)
        .exclude(pk=pi.plan_id or 0)
    )
    if request.method == "POST":
        return (
            PlanHeaderForm(request.POST, prefix="h", issuers=issuers, plans=plans),
            SectionFormSet(request.POST, prefix="s"),
            TaskFormSet(request.POST, prefix="t"),
        )
    data = pi.data
    initial = PlanHeaderForm.initial_from(data, pi.issuer, pi.kind)
    initial["replaces"] = pi.replaces_id
    return (
        PlanHeaderForm(prefix="h", initial=initial, issuers=issuers, plans=plans),
        SectionFormSet(
            prefix="s",
            initial=[
                {"number": s["number"], "heading": s.get("heading", "")}
                for s in data.get("sections", [])
            ],
        ),
        TaskFormSet(prefix="t", initial=[_task_initial(t) for t in data.get("tasks", [])]),
    )


def _task_initial(task: dict[str, Any]) -> dict[str, Any]:
    return TaskForm.initial_from(task)


def _value(form: Any, name: str) -> str:
    return str(form[name].value() or "").strip()


def _review_tree(
    sections: Any, tasks: Any, links: dict[str, selectors.AgencyLink]
) -> dict[str, Any]:
    """Section forms nested by number, each with its task forms and agency links."""
    section_forms = [f for f in sections.forms if _value(f, "number")]
    new_sections = [f for f in sections.forms if not _value(f, "number")]
    tree = selectors.section_tree(section_forms, number=lambda f: _value(f, "number").strip("."))
    nodes: dict[str, dict[str, Any]] = {}

    def index(items: list[dict[str, Any]]) -> None:
        for node in items:
            node["form"] = node["item"]
            node["tasks"] = []
            nodes.setdefault(node["number"], node)
            index(node["children"])

    index(tree)
    loose: list[dict[str, Any]] = []
    new_tasks: list[dict[str, Any]] = []
    for f in tasks.forms:
        if not _value(f, "summary"):
            new_tasks.append({"form": f, "lead": [], "coordinating": [], "doubtful": False})
            continue
        extra = {}
        try:
            extra = json.loads(_value(f, "extra") or "{}")
        except ValueError:
            extra = {}
        entry = {
            "form": f,
            "lead": [links.get(n) or n for n in _value(f, "lead").splitlines() if n.strip()],
            "coordinating": [
                links.get(n) or n for n in _value(f, "coordinating").splitlines() if n.strip()
            ],
            "doubtful": selectors.is_doubtful_deadline(
                {
                    "deadline": _value(f, "deadline"),
                    "due": _value(f, "due"),
                    "recurrence": _value(f, "recurrence"),
                    "deadline_flagged": isinstance(extra, dict) and extra.get("deadline_flagged"),
                }
            ),
        }
        node = nodes.get(_value(f, "section").strip("."))
        (node["tasks"] if node is not None else loose).append(entry)
    return {
        "tree": tree,
        "loose": loose,
        "new_sections": new_sections,
        "new_tasks": new_tasks,
        "numbers": list(nodes),
    }


@login_required
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    pi = selectors.access_plan_import(request.user, pk)
    if pi.status == PlanImport.Status.PUBLISHED and pi.plan_id:
        return redirect("plans:detail", pk=pi.plan_id)
    can_edit = get_scope(request.user).can_write_path(pi.organisation.path)
    header, sections, tasks = _review_forms(request, pi)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if header.is_valid() and sections.is_valid() and tasks.is_valid():
            cd = header.cleaned_data
            data = {
                **pi.data,
                "title": cd["title"],
                "number": cd["number"] or None,
                "issued_date": cd["issued_date"].isoformat() if cd["issued_date"] else None,
                "year": cd["year"],
                "report_deadline": cd["report_deadline"] or None,
                "legal_bases": cd["legal_bases"].splitlines(),
                "sections": [
                    {"number": f.cleaned_data["number"], "heading": f.cleaned_data["heading"]}
                    for f in sections.forms
                    if f.cleaned_data.get("number") and not f.cleaned_data.get("DELETE")
                ],
                "tasks": [
                    f.to_task()
                    for f in tasks.forms
                    if f.cleaned_data.get("summary") and not f.cleaned_data.get("DELETE")
                ],
            }
            try:
                pi = services.plan_import_update(
                    actor=request.user,
                    plan_import=pi,
                    data=data,
                    kind=cd["kind"],
                    issuer=cd["issuer"],
                    agency_choices=_agency_choices(request.POST),
                    replaces=cd["replaces"],
                )
                if "publish" in request.POST:
                    plan = services.plan_publish(actor=request.user, plan_import=pi)
                    messages.success(request, _("The plan has been published."))
                    return redirect("plans:detail", pk=plan.pk)
            except ValidationError as exc:
                header.add_error(None, _errors(exc))
            except PermissionDenied as exc:
                header.add_error(None, str(exc))
            else:
                messages.success(request, _("Your changes have been saved."))
                return redirect("plans:review", pk=pi.pk)
    on = selectors.import_date(pi.data)
    province = selectors.import_province(pi)
    links = selectors.agency_links(
        selectors.data_agency_names(pi.data),
        province=province,
        on=on,
        choices=pi.agency_choices,
    )
    others = selectors.province_organisations(province, on) if can_edit else []
    return render(
        request,
        "plans/review.html",
        {
            "pi": pi,
            "header": header,
            "sections": sections,
            "tasks": tasks,
            "links": list(links.values()),
            "others": others,
            "choices": pi.agency_choices,
            "can_edit": can_edit,
            "n_review": sum(1 for link in links.values() if link.needs_review),
            **_review_tree(sections, tasks, links),
        },
    )


@login_required
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    pi = selectors.access_plan_import(request.user, pk, write=True)
    if request.method == "POST":
        services.plan_import_discard(actor=request.user, plan_import=pi)
        messages.success(request, _("The import has been discarded."))
        return redirect("plans:imports")
    return render(request, "plans/import_confirm_discard.html", {"pi": pi})


# --- Tasks ------------------------------------------------------------------------------


def _writable_ids(user: Any, tasks: list[Task]) -> set[int]:
    scope = get_scope(user)
    out = set()
    for t in tasks:
        if scope.can_write_path(t.plan.issuer.path) or any(
            a.role == TaskAgency.Role.LEAD
            and a.organisation is not None
            and scope.can_write_path(a.organisation.path)
            for a in t.agencies.all()
        ):
            out.add(t.pk)
    return out


@login_required
def task_index(request: HttpRequest) -> HttpResponse:
    plans: QuerySet[Plan] = selectors.plan_list(user=request.user).filter(kind=Plan.Kind.PLAN)
    form = TaskFilterForm(
        request.GET or None,
        organisations=selectors.task_agencies(user=request.user),
        plans=plans,
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    qs = selectors.task_list(user=request.user, **filters).prefetch_related(_AGENCIES)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    tasks = list(page.object_list)
    return render(
        request,
        "plans/task_list.html",
        {
            "form": form,
            "page_obj": page,
            "tasks": tasks,
            "mine": bool(filters.get("mine")),
            "writable": _writable_ids(request.user, tasks),
            "statuses": Task.Status.choices,
            "today": dt.date.today(),
            "has_home": bool(get_scope(request.user).home_org_ids),
        },
    )


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task(request.user, pk, write=True)
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        try:
            task = services.task_set_status(
                actor=request.user, task=task, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        else:
            messages.success(request, _("The task status has been changed."))
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("plans:tasks")
