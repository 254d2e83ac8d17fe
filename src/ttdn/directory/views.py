"""Directory pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ttdn.accounts.models import User
from ttdn.accounts.permissions import get_scope, writable

from . import io as directory_io
from . import selectors, services
from .forms import (
    AliasForm,
    EndForm,
    FunctionForm,
    ImportForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonForm,
)
from .models import (
    Country,
    DirectoryImport,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    PartnerLocality,
)
from .tasks import enqueue_directory_import


def _user(request: HttpRequest) -> User:
    """The signed-in user (views below are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"] or "",
            "kind": form.cleaned_data["kind"] or "",
            "on": form.cleaned_data["on"],
            "include_ended": not form.cleaned_data["current"],
        }
    within = request.GET.get("within")
    qs = selectors.organisation_list(
        user=request.user, within=int(within) if within and within.isdigit() else None, **filters
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = (
        "directory/_organisation_rows.html"
        if getattr(request, "htmx", False)
        else "directory/organisation_list.html"
    )
    scope = get_scope(request.user)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "today": dt.date.today(),
            "can_create": scope.write_all or bool(scope.write_paths),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation.objects.select_related("parent"), pk=pk)
    scope = get_scope(request.user)
    children = org.children.order_by("valid_to", "kind", "name")
    ctx = {
        "org": org,
        "children": Paginator(children, 100).get_page(request.GET.get("page")),
        "aliases": org.aliases.all(),
        "functions": org.functions.select_related("scope"),
        "held_here": org.function_holders.select_related("organisation"),
        "successors": org.successors.all(),
        "predecessors": org.predecessors.all(),
        "people": selectors.person_list(user=request.user, organisation=org),
        "localities": org.partner_localities.select_related("country"),
        "can_edit": scope.can_write_path(org.path),
        "ancestors": Organisation.objects.filter(
            pk__in=[int(p) for p in org.path.strip("/").split("/")[:-1] if p]
        ).order_by("depth"),
    }
    return render(request, "directory/organisation_detail.html", ctx)


def _parents_for(request: HttpRequest):
    return writable(Organisation.objects.all(), request.user, path_lookup="path").order_by("path")


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.write_all or scope.write_paths):
        raise PermissionDenied
    initial = {}
    for key in ("parent", "name", "kind"):  # prefilled from a link (e.g. the plan review)
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = OrganisationForm(request.POST or None, initial=initial, parents=_parents_for(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            org = services.organisation_create(actor=request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error("parent", _("You may only add organisations inside your scope."))
            else:
                _form_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” has been added.") % {"name": org.name})
            return redirect("directory:detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": None})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not get_scope(request.user).can_write_path(org.path):
        raise PermissionDenied
    form = OrganisationForm(
        request.POST or None,
        instance=Organisation.objects.get(pk=pk),
        parents=_parents_for(request).exclude(path__startswith=org.path),
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if getattr(org, k) != v}
        try:
            services.organisation_update(actor=request.user, org=org, **changes)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied:
            form.add_error("parent", _("You may only move organisations inside your scope."))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("directory:detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "org": org})


@login_required
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not get_scope(request.user).can_write_path(org.path):
        raise PermissionDenied
    if request.method == "POST":
        parent_id = org.parent_id
        try:
            services.organisation_delete(actor=request.user, org=org)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("directory:detail", pk=pk)
        messages.success(request, _("The organisation has been deleted."))
        return (
            redirect("directory:detail", pk=parent_id) if parent_id else redirect("directory:list")
        )
    return render(request, "directory/organisation_confirm_delete.html", {"org": org})


@login_required
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = selectors.organisation_list(
        user=request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", "")
    ).prefetch_related("aliases")
    stamp = dt.date.today().isoformat()
    if fmt == "xlsx":
        resp = HttpResponse(
            directory_io.export_xlsx(qs),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    elif fmt == "csv":
        resp = HttpResponse(directory_io.export_csv(qs), content_type="text/csv; charset=utf-8")
    else:
        raise ValidationError("format")
    resp["Content-Disposition"] = f'attachment; filename="to-chuc-{stamp}.{fmt}"'
    return resp


@login_required
def directory_import(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.write_all or scope.write_paths):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 20 MB; split it."))
        else:
            job = DirectoryImport.objects.create(
                created_by=_user(request),
                filename=upload.name[:255],
                content=upload.read(),
                dry_run=form.cleaned_data["dry_run"],
            )
            enqueue_directory_import(job)
            return redirect("directory:import_status", pk=job.pk)
    recent = DirectoryImport.objects.filter(created_by=_user(request)).defer("content")[:10]
    return render(request, "directory/import.html", {"form": form, "recent": recent})


@login_required
def directory_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        DirectoryImport.objects.defer("content"), pk=pk, created_by=_user(request)
    )
    template = (
        "directory/_import_status.html"
        if getattr(request, "htmx", False)
        else "directory/import_status.html"
    )
    return render(
        request,
        template,
        {
            "job": job,
            "pending": job.status
            in (DirectoryImport.Status.QUEUED, DirectoryImport.Status.RUNNING),
        },
    )


@login_required
def partners(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    countries = Country.objects.prefetch_related("localities__province")
    if q:
        countries = countries.filter(Q(name_vi__icontains=q) | Q(name_en__icontains=q))
    today = dt.date.today()
    upcoming = []
    for c in Country.objects.exclude(national_day=None):
        assert c.national_day is not None
        try:
            day = c.national_day.replace(year=today.year)
        except ValueError:  # 29 February
            day = dt.date(today.year, 3, 1)
        if day < today:
            day = (
                day.replace(year=today.year + 1) if not (day.month == 2 and day.day == 29) else day
            )
        if (day - today).days <= 45:
            upcoming.append((day, c))
    upcoming.sort(key=lambda x: x[0])
    return render(
        request,
        "directory/partners.html",
        {
            "countries": Paginator(countries, 60).get_page(request.GET.get("page")),
            "localities": PartnerLocality.objects.select_related("country", "province"),
            "upcoming": upcoming,
            "q": q,
        },
    )


# --- people ------------------------------------------------------------------------------


@login_required
def person_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=org_pk)
    if not get_scope(request.user).can_write_path(org.path):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_create(actor=request.user, organisation=org, **form.cleaned_data)
        messages.success(request, _("The person has been added."))
        return redirect("directory:detail", pk=org.pk)
    return render(request, "directory/person_form.html", {"form": form, "org": org})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(request.user, pk, write=True)
    form = PersonForm(
        request.POST or None, instance=selectors.access_person(request.user, pk, write=True)
    )
    if request.method == "POST" and form.is_valid():
        services.person_update(actor=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("directory:detail", pk=person.organisation_id)
    return render(
        request,
        "directory/person_form.html",
        {"form": form, "org": person.organisation, "person": person},
    )


@login_required
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(request.user, pk, write=True)
    data = services.person_export(actor=request.user, person=person)
    resp = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    resp["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return resp


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(request.user, pk, write=True)
    if request.method == "POST":
        org_pk = person.organisation_id
        services.person_erase(actor=request.user, person=person)
        messages.success(request, _("The person's data has been erased."))
        return redirect("directory:detail", pk=org_pk)
    return render(request, "directory/person_confirm_erase.html", {"person": person})


# --- names, functions, end of existence ----------------------------------------------------


def _writable_org(request: HttpRequest, pk: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=pk)
    if not get_scope(request.user).can_write_path(org.path):
        raise PermissionDenied
    return org


@login_required
def alias_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = _writable_org(request, pk)
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.alias_add(actor=request.user, org=org, **form.cleaned_data)
        messages.success(request, _("The name has been added."))
        return redirect("directory:detail", pk=org.pk)
    return render(
        request,
        "directory/simple_form.html",
        {"form": form, "org": org, "title": _("Add another name")},
    )


@login_required
def alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    alias = get_object_or_404(OrganisationAlias.objects.select_related("organisation"), pk=pk)
    org = _writable_org(request, alias.organisation_id)
    if request.method == "POST":
        services.alias_remove(actor=request.user, alias=alias)
        messages.success(request, _("The name has been removed."))
    return redirect("directory:detail", pk=org.pk)


@login_required
def function_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = _writable_org(request, pk)
    form = FunctionForm(request.POST or None, initial={"scope": org.province()})
    if request.method == "POST" and form.is_valid():
        try:
            services.function_assign(actor=request.user, org=org, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("scope", _("You may only assign functions inside your scope."))
        else:
            messages.success(request, _("The function has been recorded."))
            return redirect("directory:detail", pk=org.pk)
    return render(
        request,
        "directory/simple_form.html",
        {"form": form, "org": org, "title": _("Record a function")},
    )


@login_required
def organisation_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _writable_org(request, pk)
    if org.kind == OrganisationKind.PROVINCE:
        candidates = Organisation.objects.filter(kind=OrganisationKind.PROVINCE)
    else:
        province = org.province()
        candidates = Organisation.objects.filter(
            path__startswith=province.path if province else "/"
        )
    candidates = candidates.exclude(pk=org.pk).filter(valid_to__isnull=True).order_by("name")
    form = EndForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_end(
                actor=request.user,
                org=org,
                last_day=form.cleaned_data["last_day"],
                successors=form.cleaned_data["successors"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The end of “%(name)s” has been recorded; its history stays readable.")
                % {"name": org.name},
            )
            return redirect("directory:detail", pk=org.pk)
    return render(
        request,
        "directory/simple_form.html",
        {"form": form, "org": org, "title": _("Record the end of this organisation")},
    )
