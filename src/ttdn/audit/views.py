from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ttdn.accounts.permissions import get_scope

from .models import AuditEntry


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Administrators see the writes made by accounts of their organisations."""
    scope = get_scope(request.user)
    entries = AuditEntry.objects.select_related("actor")
    if not scope.write_all:
        if not scope.admin_paths:
            raise PermissionDenied
        entries = entries.filter(scope.path_q("actor__organisation__path", scope.admin_paths))
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    who = request.GET.get("actor", "").strip()
    if who:
        entries = entries.filter(actor_name__icontains=who)
    obj = request.GET.get("object", "").strip()
    if obj:
        entries = entries.filter(object_repr__icontains=obj)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_list.html",
        {
            "page_obj": page,
            "actions": AuditEntry.Action.choices,
            "action": action,
            "who": who,
            "obj": obj,
        },
    )
