"""Navigation by role: the menu shows what the signed-in user may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Role
from ttdn.accounts.permissions import get_scope


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = get_scope(user)
    items = [
        {"label": _("Dashboard"), "url": reverse("core:home"), "key": "home"},
        {"label": _("Plans"), "url": reverse("plans:list"), "key": "plans"},
        {"label": _("Tasks"), "url": reverse("plans:tasks"), "key": "tasks"},
        {"label": _("Reports"), "url": reverse("reporting:campaigns"), "key": "campaigns"},
        {"label": _("Province"), "url": reverse("reporting:my_province"), "key": "province"},
        {"label": _("Directory"), "url": reverse("directory:list"), "key": "directory"},
        {"label": _("Partners"), "url": reverse("directory:partners"), "key": "partners"},
    ]
    if scope.roles or scope.read_all:
        # press monitoring: anyone with a role reads the press of their scope
        items.append({"label": _("Press"), "url": reverse("monitoring:dashboard"), "key": "press"})
        try:
            cases_url = reverse("monitoring:case_list")
        except NoReverseMatch:  # the response cases are not installed
            pass
        else:
            items.append({"label": _("Response cases"), "url": cases_url, "key": "cases"})
    if scope.write_all or scope.has_role(Role.ADMINISTRATOR):
        items.append({"label": _("Audit log"), "url": reverse("audit:list"), "key": "audit"})
        items.append({"label": _("Users"), "url": reverse("accounts:users"), "key": "users"})
    if scope.read_all:
        items.insert(
            1, {"label": _("Nationwide"), "url": reverse("national:index"), "key": "national"}
        )
    # the most specific menu entry whose address starts the current path is the active one
    path = request.path
    matches = [
        str(item["url"])
        for item in items
        if path.startswith(str(item["url"])) and item["key"] != "home"
    ]
    best = max(matches, key=len) if matches else None
    for item in items:
        item["active"] = path == item["url"] if item["key"] == "home" else item["url"] == best
    return {"nav_items": items, "scope": scope}
