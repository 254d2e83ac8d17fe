from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, OrganisationKind, Person


class DateInput(forms.DateInput):
    input_type = "date"


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "code",
            "valid_from",
            "valid_to",
            "website",
            "email",
            "phone",
            "address",
            "notes",
        ]
        widgets = {
            "valid_from": DateInput(format="%Y-%m-%d"),
            "valid_to": DateInput(format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganisationKind.choices]
    )
    on = forms.DateField(label=_("Existing on"), required=False, widget=DateInput())
    current = forms.BooleanField(label=_("Only current"), required=False)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "position",
            "role",
            "work_email",
            "work_phone",
            "valid_from",
            "valid_to",
            "is_public",
        ]
        widgets = {
            "valid_from": DateInput(format="%Y-%m-%d"),
            "valid_to": DateInput(format="%Y-%m-%d"),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "First row: column names (name, kind, parent_name, code, "
            "valid_from, valid_to, aliases, …). Download an export "
            "for a template."
        ),
    )
    dry_run = forms.BooleanField(label=_("Only check, do not write"), required=False)
