"""Forms of the plans pages: upload, the review screen (header, sections, tasks), filters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ttdn.directory.models import Organisation

from .models import Plan, Task

_TASK_KEYS = ("section", "summary", "lead", "coordinating", "deadline", "due", "recurrence")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan document"),
        help_text=_(".docx, .pdf, .txt or .md, up to 20 MB. Documents marked secret are refused."),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt,.md"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Plan.Kind.choices,
        initial=Plan.Kind.PLAN,
        required=False,
        help_text=_("A guidance document lists the priorities plans should cover."),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Plan.Kind.PLAN


def _lines(value: Any) -> str:
    return "\n".join(value or [])


class PlanHeaderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    number = forms.CharField(label=_("Number"), max_length=64, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Plan.Kind.choices)
    issuer = forms.ModelChoiceField(
        label=_("Issuer"), queryset=Organisation.objects.none(), empty_label=None
    )
    issued_date = forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1946, max_value=2199)
    report_deadline = forms.CharField(label=_("Report deadline"), max_length=255, required=False)
    legal_bases = forms.CharField(
        label=_("Legal bases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One document number per line."),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"),
        queryset=Plan.objects.none(),
        required=False,
        help_text=_("An earlier plan this one replaces; its status becomes “replaced”."),
    )

    def __init__(
        self,
        *args: Any,
        issuers: QuerySet[Organisation],
        plans: QuerySet[Plan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]
        self.fields["replaces"].queryset = plans  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(data: dict[str, Any], issuer: Organisation | None, kind: str) -> dict:
        return {
            "title": data.get("title") or "",
            "number": data.get("number") or "",
            "kind": kind,
            "issuer": issuer.pk if issuer else None,
            "issued_date": data.get("issued_date"),
            "year": data.get("year"),
            "report_deadline": data.get("report_deadline") or "",
            "legal_bases": _lines(data.get("legal_bases")),
        }


class SectionForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40)
    heading = forms.CharField(
        label=_("Heading"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


class TaskForm(forms.Form):
    section = forms.CharField(
        label=_("Section"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "section-numbers", "size": 8}),
    )
    summary = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 2}))
    lead = forms.CharField(
        label=_("Lead agencies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    coordinating = forms.CharField(
        label=_("Coordinating agencies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    deadline = forms.CharField(label=_("Deadline as written"), max_length=255, required=False)
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recurrence = forms.CharField(
        label=_("Recurrence"),
        max_length=200,
        required=False,
        help_text=_("An RFC 5545 rule, e.g. FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=14"),
    )
    extra = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_extra(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("extra") or ""
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @staticmethod
    def initial_from(task: dict[str, Any]) -> dict[str, Any]:
        extra = {k: v for k, v in task.items() if k not in _TASK_KEYS}
        return {
            "section": task.get("section") or "",
            "summary": task.get("summary") or "",
            "lead": _lines(task.get("lead")),
            "coordinating": _lines(task.get("coordinating")),
            "deadline": task.get("deadline") or "",
            "due": task.get("due"),
            "recurrence": task.get("recurrence") or "",
            "extra": json.dumps(extra, ensure_ascii=False) if extra else "",
        }

    def to_task(self) -> dict[str, Any]:
        cd = self.cleaned_data
        return {
            **cd.get("extra", {}),
            "section": cd["section"] or None,
            "summary": cd["summary"],
            "lead": cd["lead"].splitlines(),
            "coordinating": cd["coordinating"].splitlines(),
            "deadline": cd["deadline"] or None,
            "due": cd["due"].isoformat() if cd["due"] else None,
            "recurrence": cd["recurrence"] or None,
        }


SectionFormSet = forms.formset_factory(SectionForm, extra=1, can_delete=True)
TaskFormSet = forms.formset_factory(TaskForm, extra=1, can_delete=True)


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1946, max_value=2199)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(Plan.Status.choices)]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *list(Plan.Kind.choices)]
    )
    issuer = forms.ModelChoiceField(
        label=_("Issuer"), required=False, queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, issuers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Organisation.objects.none()
    )
    plan = forms.ModelChoiceField(label=_("Plan"), required=False, queryset=Plan.objects.none())
    section = forms.CharField(
        label=_("Section"), required=False, max_length=40, widget=forms.TextInput(attrs={"size": 6})
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(Task.Status.choices)]
    )
    due_after = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_before = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("My agency's tasks"), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        plans: QuerySet[Plan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("New year"), min_value=1946, max_value=2199)


class ReplaceForm(forms.Form):
    old = forms.ModelChoiceField(label=_("Plan replaced"), queryset=Plan.objects.none())

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old"].queryset = plans  # type: ignore[attr-defined]


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class CoverageForm(forms.Form):
    guidance = forms.ModelChoiceField(label=_("Guidance"), queryset=Plan.objects.none())

    def __init__(self, *args: Any, guidances: QuerySet[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guidance"].queryset = guidances  # type: ignore[attr-defined]
