"""System checks: settings that would silently weaken the platform fail loudly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if settings.SECRET_KEY.startswith("dev-only-insecure-key"):
        problems.append(
            Error(
                "TTDN_SECRET_KEY is the development key.",
                id="ttdn.E001",
                hint="Set TTDN_SECRET_KEY to a long random value.",
            )
        )
    backend = str(settings.TASKS["default"]["BACKEND"])  # type: ignore[index]
    if backend.endswith("ImmediateBackend"):
        problems.append(
            Warning(
                "Jobs run inside web requests (immediate backend).",
                id="ttdn.W001",
                hint="Use TTDN_TASKS_BACKEND=db or rq.",
            )
        )
    return problems


@register(Tags.database)
def check_sqlite_in_production(app_configs: Any, **kwargs: Any) -> list[Any]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if settings.PRODUCTION and engine.endswith("sqlite3"):
        return [
            Warning(
                "Production on SQLite: fine for one machine, not for several web or "
                "worker processes on different hosts.",
                id="ttdn.W002",
                hint="Set DATABASE_URL to PostgreSQL (docs/deployment.md).",
            )
        ]
    return []
