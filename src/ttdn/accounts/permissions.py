"""Who may read and write what: roles scoped to subtrees of the organisation tree.

A user's *scope* is computed once per request from their active role assignments:

* superusers read and write everything;
* a national viewer reads everything (including non-public records) and writes nothing;
* an administrator, provincial coordinator or agency officer reads and writes the
  records of the organisations below the assignment's organisation;
* an editor reads that subtree and writes content (the content library) there.

Everyone signed in reads public records. Objects named by id in a URL or an API call are
loaded through ``access_*`` functions that fail as "not found", so that a user cannot
learn that another agency's record exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from .models import Role

M = TypeVar("M", bound=models.Model)

_WRITE_ROLES = {Role.ADMINISTRATOR, Role.PROVINCIAL_COORDINATOR, Role.AGENCY_OFFICER}
_READ_ROLES = _WRITE_ROLES | {Role.EDITOR}


@dataclass(frozen=True)
class Scope:
    """What one user may see and change, as organisation paths."""

    roles: frozenset[str] = frozenset()
    read_all: bool = False
    write_all: bool = False
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    content_paths: tuple[str, ...] = ()
    admin_paths: tuple[str, ...] = ()
    home_org_ids: tuple[int, ...] = field(default=())

    def has_role(self, *roles: str) -> bool:
        return self.write_all or bool(self.roles.intersection(roles))

    def _covers(self, paths: tuple[str, ...], path: str) -> bool:
        return any(path.startswith(p) for p in paths)

    def can_read_path(self, path: str) -> bool:
        return self.read_all or self._covers(self.read_paths, path)

    def can_write_path(self, path: str) -> bool:
        return self.write_all or self._covers(self.write_paths, path)

    def can_edit_content_path(self, path: str) -> bool:
        return self.write_all or self._covers(self.content_paths, path)

    def can_administer_path(self, path: str) -> bool:
        return self.write_all or self._covers(self.admin_paths, path)

    def path_q(self, lookup: str, paths: tuple[str, ...]) -> Q:
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{lookup}__startswith": p})
        return q


def get_scope(user: Any, *, today: dt.date | None = None) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_ttdn_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(roles=frozenset(Role.values), read_all=True, write_all=True)
    else:
        today = today or dt.date.today()
        roles: set[str] = set()
        read: list[str] = []
        write: list[str] = []
        content: list[str] = []
        admin: list[str] = []
        homes: list[int] = []
        # "my agency": the user's own organisation and the agencies they officer for
        if user.organisation_id:
            homes.append(user.organisation_id)
        for ra in user.role_assignments.select_related("organisation"):
            if not ra.is_active_on(today):
                continue
            roles.add(ra.role)
            path = ra.organisation.path
            if ra.role == Role.AGENCY_OFFICER:
                homes.append(ra.organisation_id)
            if ra.role in _READ_ROLES:
                read.append(path)
            if ra.role in _WRITE_ROLES:
                write.append(path)
            if ra.role in {Role.EDITOR, Role.ADMINISTRATOR, Role.PROVINCIAL_COORDINATOR}:
                content.append(path)
            if ra.role == Role.ADMINISTRATOR:
                admin.append(path)
        scope = Scope(
            roles=frozenset(roles),
            read_all=Role.NATIONAL_VIEWER in roles,
            read_paths=tuple(read),
            write_paths=tuple(write),
            content_paths=tuple(content),
            admin_paths=tuple(admin),
            home_org_ids=tuple(dict.fromkeys(homes)),
        )
    user._ttdn_scope = scope
    return scope


def readable(
    qs: models.QuerySet[M], user: Any, *, path_lookup: str, public_q: Q | None = None
) -> models.QuerySet[M]:
    """Restrict ``qs`` to rows the user may read.

    ``path_lookup`` names the owning organisation's path (e.g. ``"organisation__path"``);
    ``public_q`` selects rows everyone signed in may read.
    """
    scope = get_scope(user)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if scope.read_all:
        return qs
    q = scope.path_q(path_lookup, scope.read_paths)
    if public_q is not None:
        q |= public_q
    return qs.filter(q)


def writable(qs: models.QuerySet[M], user: Any, *, path_lookup: str) -> models.QuerySet[M]:
    scope = get_scope(user)
    if scope.write_all:
        return qs
    return qs.filter(scope.path_q(path_lookup, scope.write_paths))


def access_object(
    qs: models.QuerySet[M],
    user: Any,
    pk: Any,
    *,
    path_lookup: str,
    public_q: Q | None = None,
    write: bool = False,
) -> M:
    """Load one object by id for ``user``; anything out of scope is "not found"."""
    base = (
        writable(qs, user, path_lookup=path_lookup)
        if write
        else readable(qs, user, path_lookup=path_lookup, public_q=public_q)
    )
    try:
        return base.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
