"""Writes to accounts: creating users and granting roles, by an administrator in scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ttdn.audit.services import audit_record, delete_audited, snapshot
from ttdn.directory.models import Organisation

from .models import Role, RoleAssignment, User
from .permissions import get_scope


def _check_admin(actor: Any, org: Organisation) -> None:
    if actor == "system":
        return
    if not get_scope(actor).can_administer_path(org.path):
        raise PermissionDenied(_("You may not manage accounts of this organisation."))


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    _check_admin(actor, organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, role=role, organisation=organisation)
    audit_record(
        actor=actor,
        action="create",
        obj=user,
        after={**snapshot(user), "role": role, "scope": organisation.pk},
    )
    return user


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: str, organisation: Organisation) -> RoleAssignment:
    _check_admin(actor, organisation)
    ra, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    audit_record(actor=actor, action="create", obj=ra, after=snapshot(ra))
    return ra


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    _check_admin(actor, assignment.organisation)
    delete_audited(actor=actor, obj=assignment)
