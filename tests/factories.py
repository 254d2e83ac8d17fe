"""Test data builders. Each call makes fresh rows; no shared mutable fixtures."""

from __future__ import annotations

import itertools
from typing import Any

from ttdn.accounts.models import RoleAssignment, User
from ttdn.directory.models import Organisation
from ttdn.directory.services import SYSTEM, organisation_create

_seq = itertools.count(1)
PASSWORD = "Mat-khau-thu-nghiem-2026"


def make_org(
    name: str, kind: str = "department", parent: Organisation | None = None, **fields: Any
) -> Organisation:
    return organisation_create(actor=SYSTEM, name=name, kind=kind, parent=parent, **fields)


def make_user(
    role: str | None = None,
    org: Organisation | None = None,
    *,
    username: str | None = None,
    superuser: bool = False,
    **fields: Any,
) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=org,
        is_superuser=superuser,
        is_staff=superuser,
        **fields,
    )
    if role and org is not None:
        RoleAssignment.objects.create(user=user, role=role, organisation=org)
    return user
