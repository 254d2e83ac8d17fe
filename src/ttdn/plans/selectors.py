"""Reads of plans and tasks, scoped: drafts stay inside the issuer's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ttdn.accounts.permissions import access_object, readable

from .models import Plan, Task

PUBLIC_PLAN = ~Q(status=Plan.Status.DRAFT)


def plan_list(*, user: Any) -> QuerySet[Plan]:
    return readable(
        Plan.objects.select_related("issuer"),
        user,
        path_lookup="issuer__path",
        public_q=PUBLIC_PLAN,
    )


def access_plan(user: Any, pk: Any, *, write: bool = False) -> Plan:
    return access_object(
        Plan.objects.select_related("issuer"),
        user,
        pk,
        path_lookup="issuer__path",
        public_q=PUBLIC_PLAN,
        write=write,
    )


def task_list(*, user: Any, plan: Plan | None = None) -> QuerySet[Task]:
    qs = readable(
        Task.objects.select_related("plan", "section"),
        user,
        path_lookup="plan__issuer__path",
        public_q=~Q(plan__status=Plan.Status.DRAFT),
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs
