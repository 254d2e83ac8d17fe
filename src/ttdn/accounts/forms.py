from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ttdn.directory.models import Organisation

from .models import Role


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is not correct. After several failed attempts the "
            "account is locked for a while."
        ),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class UserCreateForm(forms.Form):
    username = forms.SlugField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Organisation.objects.none(),
        help_text=_("The role applies to this organisation and everything below it."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
