"""Reads of the directory, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from ttdn.accounts.permissions import readable
from ttdn.core.text import fold

from .models import Organisation, OrganisationAlias, Person, valid_on


def organisation_list(
    *,
    user: Any,
    q: str = "",
    kind: str = "",
    within: int | None = None,
    on: dt.date | None = None,
    include_ended: bool = True,
) -> QuerySet[Organisation]:
    """The directory is public to everyone signed in; filters narrow it."""
    qs = Organisation.objects.select_related("parent")
    if q:
        key = fold(q)
        alias_orgs = OrganisationAlias.objects.filter(search_key__contains=key).values(
            "organisation_id"
        )
        qs = qs.filter(Q(search_key__contains=key) | Q(pk__in=alias_orgs) | Q(code=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if within:
        parent = Organisation.objects.filter(pk=within).first()
        if parent is not None:
            qs = qs.filter(path__startswith=parent.path)
    if on is not None:
        qs = qs.filter(valid_on(on))
    elif not include_ended:
        qs = qs.filter(valid_on(dt.date.today()))
    return qs.order_by("path")


def person_list(*, user: Any, organisation: Organisation | None = None) -> QuerySet[Person]:
    """Contacts in the user's scope, and public spokespersons everywhere."""
    qs = readable(
        Person.objects.select_related("organisation"),
        user,
        path_lookup="organisation__path",
        public_q=Q(is_public=True),
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def access_person(user: Any, pk: Any, *, write: bool = False) -> Person:
    from ttdn.accounts.permissions import access_object

    return access_object(
        Person.objects.select_related("organisation"),
        user,
        pk,
        path_lookup="organisation__path",
        public_q=Q(is_public=True),
        write=write,
    )
