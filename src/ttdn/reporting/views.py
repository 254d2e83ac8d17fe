"""Reporting pages: task execution, notifications, report campaigns and submissions, the
provincial report downloads and the province dashboard. Thin views over selectors (reads)
and services (writes); objects named by id come through ``access_*`` (404 out of scope).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation, OrganisationFunction, OrganisationKind, valid_on
from ttdn.directory.services import function_holder
from ttdn.plans.models import Task, TaskAgency

from . import charts, report, selectors, services
from .forms import (
    CampaignForm,
    ProvinceChoiceForm,
    ReviewForm,
    SubmissionForm,
    TaskResultFormSet,
    TaskUpdateForm,
    YearForm,
)
from .models import KpiDefinition, Notification, ReportCampaign, ReportSubmission


def _messages(exc: ValidationError | PermissionDenied) -> list[str]:
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


# --- Task execution -----------------------------------------------------------------------


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_execution(request.user, pk)
    links = list(task.agencies.select_related("organisation").order_by("role", "position"))
    lead_ids = {
        a.organisation_id for a in links if a.role == TaskAgency.Role.LEAD and a.organisation_id
    }
    agencies = selectors.reporting_agencies(request.user, task)
    if request.method == "POST" and not agencies:
        raise Http404
    form = None
    if agencies and task.plan.is_public:
        form = TaskUpdateForm(
            request.POST or None,
            request.FILES or None,
            agencies=agencies,
            lead_ids=lead_ids if links else {a.pk for a in agencies},
            kpis=selectors.agency_kpis(),
        )
    if request.method == "POST" and form is not None and form.is_valid():
        cd = form.cleaned_data
        try:
            services.task_update_with_evidence(
                actor=request.user,
                task=task,
                organisation=cd["organisation"],
                files=cd["files"],
                narrative=cd["narrative"],
                status=cd.get("status") or "",
                progress=cd["progress"],
                happened_on=cd["happened_on"],
                links=cd["links"],
                figures=form.figures(),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _messages(exc))
        else:
            messages.success(request, _("Your progress update has been recorded."))
            return redirect("reporting:task", pk=task.pk)
    return render(
        request,
        "reporting/task_detail.html",
        {
            "task": task,
            "leads": [a for a in links if a.role == TaskAgency.Role.LEAD],
            "coordinating": [a for a in links if a.role == TaskAgency.Role.COORDINATING],
            "updates": selectors.task_update_list(task),
            "form": form,
            "today": dt.date.today(),
            "statuses": Task.Status.choices,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    ev = selectors.access_evidence(request.user, pk)
    try:
        handle = ev.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=ev.name)


# --- Notifications ------------------------------------------------------------------------


@login_required
def notification_index(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    qs = selectors.notification_list(user=request.user, unread=unread)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/notification_list.html",
        {
            "page_obj": page,
            "unread_only": unread,
            "unread_count": selectors.unread_count(request.user),
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(actor=request.user, notification=n)
    if request.headers.get("HX-Request"):
        n.refresh_from_db()
        return render(request, "reporting/_notification_row.html", {"n": n})
    nxt = request.POST.get("next", "")
    if nxt and n.url and nxt == "follow":
        return redirect(n.url)
    return redirect("reporting:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_read(actor=request.user)
    if count:
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("reporting:notifications")


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the navigation: the unread count as a link."""
    return render(
        request,
        "reporting/_notification_badge.html",
        {"unread_count": selectors.unread_count(request.user)},
    )


# --- Campaigns ----------------------------------------------------------------------------


@login_required
def campaign_index(request: HttpRequest) -> HttpResponse:
    qs = selectors.campaign_index(user=request.user)
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if status in ReportCampaign.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-year", "-due", "-id"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/campaign_list.html",
        {
            "page_obj": page,
            "year": year,
            "status": status,
            "statuses": ReportCampaign.Status.choices,
            "can_create": selectors.managed_provinces(request.user).exists(),
        },
    )


def _owner(province: Organisation, issued_by: str) -> Organisation | None:
    today = dt.date.today()
    if issued_by == "focal":
        return function_holder(OrganisationFunction.Function.FOCAL_TTDN, province, today)
    committee = (
        Organisation.objects.filter(
            valid_on(today), parent=province, kind=OrganisationKind.PEOPLES_COMMITTEE
        )
        .order_by("pk")
        .first()
    )
    return committee or province


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    provinces = selectors.managed_provinces(request.user)
    if not provinces.exists():
        raise PermissionDenied
    province = provinces.first() if provinces.count() == 1 else None
    picker = None
    if province is None:
        picker = ProvinceChoiceForm(request.GET or None, provinces=provinces)
        if picker.is_valid():
            province = picker.cleaned_data["province"]
        else:
            return render(request, "reporting/campaign_form.html", {"picker": picker})
    assert province is not None
    form = CampaignForm(
        request.POST or None,
        agencies=selectors.province_agencies(province),
        kpis=KpiDefinition.objects.filter(active=True).order_by("position", "code"),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        owner = _owner(province, cd["issued_by"])
        if owner is None:
            form.add_error(
                "issued_by",
                _("No focal department is recorded for this province in the directory."),
            )
        else:
            try:
                campaign = services.campaign_open(
                    actor=request.user,
                    owner=owner,
                    scope=province,
                    title=cd["title"],
                    year=cd["year"],
                    due=cd["due"],
                    agencies=cd["agencies"],
                    period_start=cd["period_start"],
                    period_end=cd["period_end"],
                    kpis=cd["kpis"],
                    instructions=cd["instructions"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("The report campaign has been opened."))
                return redirect("reporting:campaign", pk=campaign.pk)
    return render(
        request,
        "reporting/campaign_form.html",
        {"form": form, "province": province, "picker": picker},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.access_campaign(request.user, pk)
    manage = selectors.can_manage_campaign(request.user, campaign)
    subs = list(selectors.campaign_submissions(request.user, campaign))
    counts = selectors.completeness(campaign)
    return render(
        request,
        "reporting/campaign_detail.html",
        {
            "campaign": campaign,
            "submissions": subs,
            "counts": counts,
            "progress": charts.progress_bar(counts["done"], counts["total"], _("Reports received")),
            "manage": manage,
            "sees_all": get_scope(request.user).can_read_path(campaign.scope.path),
            "kpis": selectors.campaign_kpis(campaign),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.access_campaign(request.user, pk, manage=True)
    status = request.POST.get("status", "")
    try:
        services.campaign_set_status(actor=request.user, campaign=campaign, status=status)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_messages(exc)))
    else:
        messages.success(
            request,
            _("The campaign is closed.")
            if status == ReportCampaign.Status.CLOSED
            else _("The campaign is open again."),
        )
    return redirect("reporting:campaign", pk=campaign.pk)


@login_required
def campaign_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = selectors.access_campaign(request.user, pk, manage=True)
    if fmt == "docx":
        body, ctype = report.render_report_docx(campaign), report.DOCX_CONTENT_TYPE
    elif fmt == "xlsx":
        body, ctype = report.render_report_xlsx(campaign), report.XLSX_CONTENT_TYPE
    else:
        raise Http404
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{report.report_filename(campaign, fmt)}"'
    return resp


# --- Submissions --------------------------------------------------------------------------


def _submission_context(
    request: HttpRequest,
    sub: ReportSubmission,
    form: SubmissionForm | None,
    lines: Any,
    review_form: ReviewForm | None = None,
) -> dict[str, Any]:
    return {
        "sub": sub,
        "campaign": sub.campaign,
        "form": form,
        "lines": lines,
        "editable": form is not None,
        "can_review": selectors.can_manage_campaign(request.user, sub.campaign)
        and sub.status == ReportSubmission.Status.SUBMITTED,
        "review_form": review_form or ReviewForm(),
        "statuses": Task.Status.choices,
        "kpi_values": [
            (d, v)
            for d in selectors.campaign_kpis(sub.campaign)
            for v in [selectors.submission_kpi_values(sub).get(d.pk)]
        ],
    }


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = selectors.access_submission(request.user, pk)
    editable = selectors.can_edit_submission(request.user, sub)
    kpis = selectors.campaign_kpis(sub.campaign)
    if request.method == "POST":
        if not get_scope(request.user).can_write_path(sub.agency.path):
            raise Http404
        if not editable:
            raise PermissionDenied(_("This report can no longer be edited."))
        data = request.POST.copy()
        posted = SubmissionForm(data, kpis=kpis)
        posted_lines = TaskResultFormSet(data, prefix="t")
        status = 400
        if posted.is_valid() and posted_lines.is_valid():
            cd = posted.cleaned_data
            try:
                sub = services.submission_update(
                    actor=request.user,
                    submission=sub,
                    expected_version=cd["version"],
                    kpis=posted.kpi_values(),
                    narrative=cd["narrative"],
                    difficulties=cd["difficulties"],
                    proposals=cd["proposals"],
                    task_results=[f.line() for f in posted_lines.forms],
                )
                # The draft is saved: from here on the form carries the new version.
                data["version"] = str(sub.version)
                posted = SubmissionForm(data, kpis=kpis)
                posted.is_valid()
                if "submit" in request.POST:
                    sub = services.submission_submit(
                        actor=request.user, submission=sub, expected_version=sub.version
                    )
            except services.ConcurrentEditError as exc:
                # Nothing is lost: the form is shown again with what the user typed.
                posted.add_error(None, exc.message)
                status = 409
            except (ValidationError, PermissionDenied) as exc:
                posted.add_error(None, _messages(exc))
            else:
                messages.success(
                    request,
                    _("The report has been submitted.")
                    if sub.status == ReportSubmission.Status.SUBMITTED
                    else _("The draft has been saved."),
                )
                return redirect("reporting:submission", pk=sub.pk)
        sub.refresh_from_db()
        return render(
            request,
            "reporting/submission_detail.html",
            _submission_context(request, sub, posted, posted_lines),
            status=status,
        )
    if not editable:
        return render(
            request,
            "reporting/submission_detail.html",
            _submission_context(request, sub, None, sub.task_results),
        )
    values = selectors.submission_kpi_values(sub)
    form = SubmissionForm(initial=SubmissionForm.initial_from(sub, values, kpis), kpis=kpis)
    initial = sub.task_results or services.submission_prefill(sub)
    lines = TaskResultFormSet(prefix="t", initial=initial)
    return render(
        request, "reporting/submission_detail.html", _submission_context(request, sub, form, lines)
    )


@login_required
@require_POST
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    sub = selectors.access_submission(request.user, pk)
    if not selectors.can_manage_campaign(request.user, sub.campaign):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.submission_review(
                actor=request.user,
                submission=sub,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _messages(exc))
        else:
            messages.success(
                request,
                _("The report has been accepted.")
                if form.cleaned_data["decision"] == "accept"
                else _("The report has been returned to the agency."),
            )
            return redirect("reporting:campaign", pk=sub.campaign_id)
    return render(
        request,
        "reporting/submission_detail.html",
        _submission_context(request, sub, None, sub.task_results, form),
        status=400,
    )


# --- Dashboard ----------------------------------------------------------------------------


@login_required
def my_province(request: HttpRequest) -> HttpResponse:
    province = selectors.user_province(request.user)
    if province is None:
        return render(request, "reporting/no_province.html")
    return redirect(reverse("reporting:province", args=[province.pk]) + _query(request))


def _query(request: HttpRequest) -> str:
    q = request.GET.urlencode()
    return f"?{q}" if q else ""


@login_required
def province_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    province = selectors.access_province(request.user, pk)  # the scope check, every request
    today = dt.date.today()
    form = YearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or today.year
    # Figures and charts are shared for a minute per province, year and language
    # (selectors.DASHBOARD_TTL, docs/adr/0006): under load the page costs its template only.
    key = f"reporting:dashboard-view:{province.pk}:{year}:{today.isoformat()}:{get_language()}"
    shown = cache.get(key)
    if shown is None:
        data = selectors.dashboard_data(province, year, today)
        completion = data["completion"]
        shown = {
            **data,
            "completion_chart": charts.hbar_chart(
                [charts.Bar(c.name, c.done, c.total) for c in completion],
                _("Tasks done by lead agency, %(year)s") % {"year": year},
            )
            if completion
            else None,
            "trend_chart": charts.line_chart(
                [(m.strftime("%m/%Y"), n) for m, n in data["trend"]],
                _("Open tasks past their due date, at the end of each month"),
            ),
            "campaign_bars": [
                (c, n, charts.progress_bar(n["done"], n["total"], c.title))
                for c, n in data["campaigns"]
            ],
            "total_tasks": sum(data["status_counts"].values()),
        }
        cache.set(key, shown, selectors.DASHBOARD_TTL)
    return render(
        request,
        "reporting/province_dashboard.html",
        {"province": province, "year": year, "form": form, **shown},
    )
