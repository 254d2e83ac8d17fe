from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Plan, TaskAgency
from .selectors import access_plan, plan_list, task_list


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    plans = plan_list(user=request.user).annotate(n_tasks=Count("tasks"))
    q = request.GET.get("q", "").strip()
    if q:
        plans = plans.filter(title__icontains=q) | plans.filter(number__icontains=q)
    year = request.GET.get("year", "")
    if year.isdigit():
        plans = plans.filter(year=int(year))
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {"page_obj": page, "q": q, "year": year, "statuses": Plan.Status},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    tasks = task_list(user=request.user, plan=plan).prefetch_related(
        Prefetch("agencies", queryset=TaskAgency.objects.select_related("organisation"))
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "sections": plan.sections.all(),
            "tasks": tasks,
        },
    )
