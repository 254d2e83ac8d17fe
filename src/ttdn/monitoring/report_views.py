"""The leaders' press report: a period form and the .docx download (``report.py``).

The province is one the user may read (coordinators, national viewers, and the officers of
an agency of the province, such as the focal department that writes the report); any other
is "not found", like every object named by id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation, OrganisationKind, valid_on

from . import report

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_DAYS = 366

PERIODS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("custom", _("Custom dates")),
]


def report_provinces(user: Any) -> QuerySet[Organisation]:
    """Current provinces the user may report on: those they read, and the province of
    each agency they belong to or read (an officer of the focal department)."""
    qs = Organisation.objects.filter(valid_on(timezone.localdate()), kind=OrganisationKind.PROVINCE)
    scope = get_scope(user)
    if scope.read_all:
        return qs.order_by("name")
    paths = list(scope.read_paths)
    homes = Organisation.objects.filter(pk__in=scope.home_org_ids).values_list("path", flat=True)
    paths += list(homes)
    ids = [
        pk
        for pk, path in qs.values_list("pk", "path")
        if any(p.startswith(path) or path.startswith(p) for p in paths)
    ]
    return qs.filter(pk__in=ids).order_by("name")


def month_bounds(day: dt.date, back: int = 0) -> tuple[dt.date, dt.date]:
    """First and last day of the month of ``day``, ``back`` months earlier."""
    first = day.replace(day=1)
    for _i in range(back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


class PressReportForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, initial="last_month", widget=forms.RadioSelect
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.ModelChoiceField(
        label=_("Province"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, provinces: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = provinces

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        today = timezone.localdate()
        period = cd.get("period")
        if period == "this_month":
            cd["start"], cd["end"] = month_bounds(today)[0], today
        elif period == "last_month":
            cd["start"], cd["end"] = month_bounds(today, back=1)
        elif period == "custom":
            start, end = cd.get("date_from"), cd.get("date_to")
            if start is None:
                self.add_error("date_from", _("Enter the first day of the period."))
            if end is None:
                self.add_error("date_to", _("Enter the last day of the period."))
            if start and end:
                if end < start:
                    self.add_error("date_to", _("The period ends before it starts."))
                elif (end - start).days + 1 > MAX_DAYS:
                    self.add_error("date_to", _("A report covers at most one year."))
                cd["start"], cd["end"] = start, end
        return cd


def _form(request: HttpRequest) -> tuple[PressReportForm, QuerySet[Organisation]]:
    provinces = report_provinces(request.user)
    if not provinces.exists():
        raise Http404
    data = request.GET.copy() if request.GET else None
    if data is not None:
        data.setdefault("period", "last_month")
        owner = data.get("owner", "")
        # A province out of the user's scope is "not found", not a form error.
        if owner and not (owner.isdigit() and provinces.filter(pk=int(owner)).exists()):
            raise Http404
        if not owner:
            data["owner"] = str(cast(Organisation, provinces.first()).pk)
    initial = {"period": "last_month", "owner": provinces.first()}
    return PressReportForm(data, initial=initial, provinces=provinces), provinces


@login_required
def report_form(request: HttpRequest) -> HttpResponse:
    form, provinces = _form(request)
    context: dict[str, Any] = {"form": form, "single_province": provinces.count() == 1}
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        province = cd["owner"]
        data = report.load_press_data(request.user, province, cd["start"], cd["end"])
        params = {
            "period": cd["period"],
            "owner": province.pk,
            "date_from": cd["start"].isoformat(),
            "date_to": cd["end"].isoformat(),
        }
        context.update(
            province=province,
            start=cd["start"],
            end=cd["end"],
            data=data,
            languages=[(report.language_name(c), n) for c, n in data.languages],
            download_url=f"{reverse('monitoring:report_docx')}?{urlencode(params)}",
        )
    return render(request, "monitoring/report_form.html", context)


@login_required
def report_docx(request: HttpRequest) -> HttpResponse:
    form, _provinces = _form(request)
    if not form.is_bound or not form.is_valid():
        return render(request, "monitoring/report_form.html", {"form": form}, status=400)
    cd = form.cleaned_data
    province = cd["owner"]
    body = report.render_press_report_docx(request.user, cd["start"], cd["end"], owner=province)
    resp = HttpResponse(body, content_type=report.DOCX_CONTENT_TYPE)
    resp["Content-Disposition"] = report.content_disposition(
        report.report_filename(province, cd["start"], cd["end"])
    )
    return resp
