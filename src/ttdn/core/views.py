"""The home dashboard, different for each role, and a health check for operators."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import get_scope
from ttdn.audit.models import AuditEntry
from ttdn.directory.models import Country, Organisation, OrganisationFunction, OrganisationKind
from ttdn.directory.services import function_holder
from ttdn.plans.selectors import plan_list, task_list


def root(request: HttpRequest) -> HttpResponse:
    return redirect("core:home" if request.user.is_authenticated else "accounts:login")


def _upcoming_national_days(today: dt.date, days: int = 30) -> list[tuple[dt.date, Country]]:
    out = []
    for c in Country.objects.exclude(national_day=None):
        assert c.national_day is not None
        for year in (today.year, today.year + 1):
            try:
                d = c.national_day.replace(year=year)
            except ValueError:
                continue
            if 0 <= (d - today).days <= days:
                out.append((d, c))
                break
    return sorted(out, key=lambda x: x[0])[:8]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = get_scope(user)
    today = dt.date.today()
    home_org = getattr(user, "organisation", None)
    province = home_org.province() if home_org is not None else None
    tasks = task_list(user=user)
    mine = (
        tasks.filter(agencies__organisation__in=scope.home_org_ids).distinct()
        if (scope.home_org_ids)
        else tasks.none()
    )
    ctx = {
        "today": today,
        "home_org": home_org,
        "province": province,
        "roles": sorted(str(Role(r).label) for r in scope.roles),
        "is_national": scope.read_all,
        "focal": function_holder(OrganisationFunction.Function.FOCAL_TTDN, province, today)
        if province is not None
        else None,
        "supervisor": OrganisationFunction.objects.filter(
            function=OrganisationFunction.Function.NATIONAL_SUPERVISOR, valid_to__isnull=True
        )
        .select_related("organisation")
        .first(),
        "plan_count": plan_list(user=user).count(),
        "task_count": tasks.count(),
        "my_tasks": mine.select_related("plan").order_by("due")[:8],
        "due_soon": tasks.filter(due__gte=today, due__lte=today + dt.timedelta(days=30))
        .exclude(status__in=["done", "cancelled"])
        .count(),
        "overdue": tasks.filter(due__lt=today).exclude(status__in=["done", "cancelled"]).count(),
        "province_count": Organisation.objects.filter(
            kind=OrganisationKind.PROVINCE, valid_to__isnull=True
        ).count(),
        "national_days": _upcoming_national_days(today),
        "recent_audit": AuditEntry.objects.select_related("actor")[:8]
        if scope.write_all or Role.ADMINISTRATOR in scope.roles
        else [],
    }
    return render(request, "core/home.html", ctx)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does too."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
