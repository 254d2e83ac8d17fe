"""Writes to the organisation directory. Each function takes the acting user, runs in one
transaction, checks the actor's scope and writes the audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.audit.services import audit_record, delete_audited, snapshot
from ttdn.core.text import fold, squash

from .models import (
    Organisation,
    OrganisationAlias,
    OrganisationFunction,
    OrganisationKind,
    Person,
)

SYSTEM = "system"

ORG_FIELDS = (
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
)


def _check_write(actor: Any, org: Organisation | None) -> None:
    """Raise unless ``actor`` may write below ``org`` (``None``: the top of the tree)."""
    if actor == SYSTEM:
        return
    scope = get_scope(actor)
    if scope.write_all:
        return
    if org is None or not scope.can_write_path(org.path):
        raise PermissionDenied(_("You may not change this organisation."))


def _set_path(org: Organisation) -> None:
    parent = org.parent
    if parent is None:
        org.path = f"/{org.pk}/"
        org.depth = 0
    else:
        org.path = f"{parent.path}{org.pk}/"
        org.depth = parent.depth + 1


def _rebuild_subtree_paths(org: Organisation) -> None:
    for child in Organisation.objects.filter(parent=org):
        _set_path(child)
        Organisation.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)
        _rebuild_subtree_paths(child)


def _validate(org: Organisation) -> None:
    org.name = squash(org.name)
    if not org.name:
        raise ValidationError({"name": _("The name is required.")})
    if org.kind not in OrganisationKind.values:
        raise ValidationError(
            {"kind": _("Unknown kind of organisation: %(kind)s") % {"kind": org.kind}}
        )
    if org.valid_from and org.valid_to and org.valid_to < org.valid_from:
        raise ValidationError({"valid_to": _("The end date is before the start date.")})
    if org.parent_id and org.pk:
        # no cycles: the new parent must not sit below the organisation itself
        parent = Organisation.objects.get(pk=org.parent_id)
        if parent.path.startswith(f"/{org.pk}/") or f"/{org.pk}/" in parent.path:
            raise ValidationError({"parent": _("An organisation cannot sit below itself.")})
    org.search_key = fold(org.name)[:255]


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    aliases: Iterable[tuple[str, str]] = (),
    **fields: Any,
) -> Organisation:
    _check_write(actor, parent)
    org = Organisation(name=name, kind=kind, parent=parent, **fields)
    _validate(org)
    org.save()
    _set_path(org)
    Organisation.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    for alias_name, alias_kind in aliases:
        _alias_add(org, alias_name, alias_kind)
    audit_record(actor=actor, action="create", obj=org, after=snapshot(org))
    return org


@transaction.atomic
def organisation_update(*, actor: Any, org: Organisation, **changes: Any) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _check_write(actor, org)
    before = snapshot(org)
    old_parent = org.parent_id
    for key, value in changes.items():
        if key not in ORG_FIELDS:
            raise ValidationError(_("Unknown field: %(field)s") % {"field": key})
        setattr(org, key, value)
    if org.parent_id != old_parent:
        # moving also requires write access to the destination
        _check_write(actor, org.parent)
    _validate(org)
    if org.parent_id != old_parent:
        org.parent = Organisation.objects.get(pk=org.parent_id) if org.parent_id else None
        _set_path(org)
    org.save()
    if org.parent_id != old_parent:
        _rebuild_subtree_paths(org)
    after = snapshot(org)
    if before != after:
        audit_record(actor=actor, action="update", obj=org, before=before, after=after)
    return org


@transaction.atomic
def organisation_delete(*, actor: Any, org: Organisation) -> None:
    """Delete an organisation that nothing refers to; otherwise say so.

    An organisation that stopped existing should get an end date instead: its history
    (plans, tasks, reports) must stay readable.
    """
    _check_write(actor, org)
    if org.children.exists():
        raise ValidationError(
            _("“%(name)s” has organisations below it; move or end them first.") % {"name": org.name}
        )
    before = snapshot(org)
    pk, label = org.pk, str(org)
    try:
        with transaction.atomic():
            org.delete()
    except ProtectedError:
        raise ValidationError(
            _("“%(name)s” is referred to by other records. Set an end date instead of deleting it.")
            % {"name": label}
        ) from None
    audit_record(
        actor=actor,
        action="delete",
        object_type="directory.organisation",
        object_id=str(pk),
        object_repr=label,
        before=before,
        after=None,
    )


@transaction.atomic
def organisation_end(
    *, actor: Any, org: Organisation, last_day: dt.date, successors: Iterable[Organisation] = ()
) -> Organisation:
    """Mark that ``org`` ceased to exist after ``last_day`` and who took over."""
    org = organisation_update(actor=actor, org=org, valid_to=last_day)
    succ = list(successors)
    if succ:
        org.successors.add(*succ)
        audit_record(
            actor=actor,
            action="update",
            obj=org,
            changes={"successors": [None, [s.pk for s in succ]]},
        )
    return org


def _alias_add(org: Organisation, name: str, kind: str) -> OrganisationAlias | None:
    name = squash(name)
    if not name or name == org.name:
        return None
    alias, _created = OrganisationAlias.objects.get_or_create(
        organisation=org, name=name, defaults={"kind": kind, "search_key": fold(name)[:255]}
    )
    return alias


@transaction.atomic
def alias_add(
    *, actor: Any, org: Organisation, name: str, kind: str = OrganisationAlias.Kind.VARIANT
) -> OrganisationAlias | None:
    _check_write(actor, org)
    alias = _alias_add(org, name, kind)
    if alias is not None:
        audit_record(actor=actor, action="create", obj=alias, after=snapshot(alias))
    return alias


@transaction.atomic
def alias_remove(*, actor: Any, alias: OrganisationAlias) -> None:
    _check_write(actor, alias.organisation)
    delete_audited(actor=actor, obj=alias)


@transaction.atomic
def function_assign(
    *,
    actor: Any,
    org: Organisation,
    function: str,
    scope: Organisation | None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    legal_basis: str = "",
) -> OrganisationFunction:
    _check_write(actor, scope or org)
    row = OrganisationFunction.objects.create(
        organisation=org,
        function=function,
        scope=scope,
        valid_from=valid_from,
        valid_to=valid_to,
        legal_basis=legal_basis,
    )
    audit_record(actor=actor, action="create", obj=row, after=snapshot(row))
    return row


def function_holder(
    function: str, scope: Organisation | None, day: dt.date | None = None
) -> Organisation | None:
    """Who holds ``function`` for ``scope`` on ``day`` (today by default)."""
    day = day or dt.date.today()
    qs = OrganisationFunction.objects.filter(function=function, scope=scope).select_related(
        "organisation"
    )
    for row in qs:
        if (row.valid_from is None or row.valid_from <= day) and (
            row.valid_to is None or day <= row.valid_to
        ):
            return row.organisation
    return None


# --- People (personal data: minimal, exportable, erasable) ------------------------

PERSON_FIELDS = (
    "full_name",
    "position",
    "role",
    "work_email",
    "work_phone",
    "valid_from",
    "valid_to",
    "is_public",
    "organisation",
)


@transaction.atomic
def person_create(
    *, actor: Any, organisation: Organisation, full_name: str, **fields: Any
) -> Person:
    _check_write(actor, organisation)
    full_name = squash(full_name)
    if not full_name:
        raise ValidationError({"full_name": _("The name is required.")})
    person = Person.objects.create(organisation=organisation, full_name=full_name, **fields)
    audit_record(actor=actor, action="create", obj=person, after=snapshot(person))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
    _check_write(actor, person.organisation)
    before = snapshot(person)
    for key, value in changes.items():
        if key not in PERSON_FIELDS:
            raise ValidationError(_("Unknown field: %(field)s") % {"field": key})
        setattr(person, key, value)
    if "organisation" in changes:
        _check_write(actor, person.organisation)
    person.full_name = squash(person.full_name)
    person.save()
    audit_record(actor=actor, action="update", obj=person, before=before, after=snapshot(person))
    return person


def person_export(*, actor: Any, person: Person) -> dict[str, Any]:
    """Everything the platform holds about a person (right of access)."""
    _check_write(actor, person.organisation)
    data = snapshot(person)
    data["organisation_name"] = person.organisation.name
    data["role_display"] = str(person.get_role_display())
    audit_record(actor=actor, action="export", obj=person, changes={})
    return data


@transaction.atomic
def person_erase(*, actor: Any, person: Person) -> None:
    """Erase a person's data (right to erasure); the audit row keeps no personal data."""
    _check_write(actor, person.organisation)
    pk, org_name = person.pk, person.organisation.name
    person.delete()
    audit_record(
        actor=actor,
        action="erase",
        object_type="directory.person",
        object_id=str(pk),
        object_repr=_("person of %(org)s") % {"org": org_name},
        changes={},
    )
