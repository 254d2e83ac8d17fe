"""Forms of the reporting screens: progress updates, campaigns, submissions, reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.directory.models import Organisation
from ttdn.plans.models import Task

from .models import KpiDefinition, ReportSubmission
from .services import MAX_EVIDENCE_BYTES, legal_parameter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def kpi_field_name(definition: KpiDefinition) -> str:
    return f"kpi_{definition.code}"


def _kpi_field(definition: KpiDefinition) -> forms.DecimalField:
    label = f"{definition.name} ({definition.unit})" if definition.unit else definition.name
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        help_text=definition.description,
    )


class TaskUpdateForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Reporting as"), queryset=Organisation.objects.none(), empty_label=None
    )
    narrative = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    status = forms.ChoiceField(
        label=_("Status of the task"),
        required=False,
        help_text=_("Only the lead agency's update changes the status."),
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    happened_on = forms.DateField(label=_("Date"), widget=DATE, initial=dt.date.today)
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line: articles, videos, posts."),
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field, not request.FILES
        label=_("Evidence files"),
        required=False,
        help_text=_("Photos, minutes, publications; up to 20 MB each."),
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[Organisation],
        lead_ids: set[int],
        kpis: QuerySet[KpiDefinition],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["organisation"]
        ).queryset = Organisation.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
        if agencies:
            self.fields["organisation"].initial = agencies[0].pk
        if len(agencies) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        if lead_ids & {a.pk for a in agencies}:
            cast(forms.ChoiceField, self.fields["status"]).choices = [
                ("", _("— unchanged —")),
                *Task.Status.choices,
            ]
        else:
            del self.fields["status"]
        self.kpis = list(kpis)
        for d in self.kpis:
            self.fields[kpi_field_name(d)] = _kpi_field(d)

    def clean_links(self) -> list[str]:
        lines = [x.strip() for x in self.cleaned_data.get("links", "").splitlines() if x.strip()]
        check = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                check(line)
            except ValidationError:
                raise ValidationError(
                    _("“%(link)s” is not a web address (http:// or https://).") % {"link": line}
                ) from None
        return lines

    def clean_files(self) -> list[Any]:
        files = self.cleaned_data.get("files") or []
        for f in files:
            if f.size > MAX_EVIDENCE_BYTES:
                raise ValidationError(_("“%(name)s” is larger than 20 MB.") % {"name": f.name})
        return files

    def figures(self) -> dict[str, Decimal]:
        out = {}
        for d in self.kpis:
            value = self.cleaned_data.get(kpi_field_name(d))
            if value is not None:
                out[d.code] = value
        return out

    def kpi_fields(self) -> list[forms.BoundField]:
        return [self[kpi_field_name(d)] for d in self.kpis]


class ProvinceChoiceForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, provinces: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = provinces


ISSUED_BY = [
    ("committee", _("The province's People's Committee")),
    ("focal", _("The focal department, reporting to the People's Committee")),
]


def default_title(year: int) -> str:
    # The document's own title: Vietnamese by law, whatever the interface language.
    return f"Báo cáo kết quả công tác thông tin đối ngoại năm {year}"


def default_due(year: int) -> dt.date:
    """The day before the legal "report before MM-DD" day of ``year``."""
    value = legal_parameter("annual_report_due", dt.date(year, 6, 30), "11-15")
    try:
        month, day = (int(x) for x in str(value).split("-"))
        return dt.date(year, month, day) - dt.timedelta(days=1)
    except (ValueError, TypeError):
        return dt.date(year, 11, 14)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    issued_by = forms.ChoiceField(label=_("The provincial report is issued by"), choices=ISSUED_BY)
    period_start = forms.DateField(label=_("Period from"), widget=DATE, required=False)
    period_end = forms.DateField(label=_("Period to"), widget=DATE, required=False)
    due = forms.DateField(label=_("Due"), widget=DATE)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies that must report"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    kpis = forms.ModelMultipleChoiceField(
        label=_("KPI figures asked for"),
        queryset=KpiDefinition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Organisation],
        kpis: QuerySet[KpiDefinition],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["agencies"]).queryset = agencies
        cast(forms.ModelMultipleChoiceField, self.fields["kpis"]).queryset = kpis
        if not self.is_bound:
            year = dt.date.today().year
            self.initial.setdefault("year", year)
            self.initial.setdefault("title", default_title(year))
            self.initial.setdefault("due", default_due(year))
            self.initial.setdefault("agencies", list(agencies.values_list("pk", flat=True)))
            self.initial.setdefault("kpis", list(kpis.values_list("pk", flat=True)))

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        start, end = cd.get("period_start"), cd.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return cd


class TaskResultForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(widget=forms.HiddenInput, required=False)
    role = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def line(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {
            "task": cd["task"],
            "summary": cd.get("summary", ""),
            "role": cd.get("role", ""),
            "status": cd["status"],
            "progress": cd["progress"],
            "result": cd.get("result", "").strip(),
        }


TaskResultFormSet = forms.formset_factory(TaskResultForm, extra=0)


class SubmissionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the agency did in the period, in a few paragraphs."),
    )
    difficulties = forms.CharField(
        label=_("Difficulties"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposals = forms.CharField(
        label=_("Proposals"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, kpis: list[KpiDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for d in kpis:
            self.fields[kpi_field_name(d)] = _kpi_field(d)

    @classmethod
    def initial_from(
        cls, sub: ReportSubmission, values: dict[int, Decimal], kpis: list[KpiDefinition]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": sub.version,
            "narrative": sub.narrative,
            "difficulties": sub.difficulties,
            "proposals": sub.proposals,
        }
        for d in kpis:
            if d.pk in values:
                initial[kpi_field_name(d)] = values[d.pk]
        return initial

    def kpi_values(self) -> dict[KpiDefinition, Decimal | None]:
        return {d: self.cleaned_data.get(kpi_field_name(d)) for d in self.kpis}

    def kpi_fields(self) -> list[forms.BoundField]:
        return [self[kpi_field_name(d)] for d in self.kpis]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return for correction"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for return"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what must be corrected."),
    )

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        if cd.get("decision") == "return" and not (cd.get("reason") or "").strip():
            self.add_error("reason", _("Say what must be corrected."))
        return cd


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
