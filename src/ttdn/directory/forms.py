from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    Organisation,
    OrganisationAlias,
    OrganisationFunction,
    OrganisationKind,
    Person,
)


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


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Other name or abbreviation"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationAlias.Kind.choices)


class FunctionForm(forms.Form):
    function = forms.ChoiceField(label=_("Function"), choices=OrganisationFunction.Function.choices)
    scope = forms.ModelChoiceField(
        label=_("For"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.PROVINCE),
        help_text=_("The province the function is held for; empty for the whole country."),
    )
    valid_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=255)


class EndForm(forms.Form):
    last_day = forms.DateField(label=_("Last day of existence"), widget=DateInput())
    successors = forms.ModelMultipleChoiceField(
        label=_("Succeeded by"),
        required=False,
        queryset=Organisation.objects.none(),
        help_text=_("The organisations that took over its functions."),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            cast(forms.ModelMultipleChoiceField, self.fields["successors"]).queryset = candidates
