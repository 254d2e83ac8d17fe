"""Configuration from the environment: production refuses to start without a secret."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _clean_env() -> dict[str, str]:
    """The environment without the test run's own settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TTDN_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = _clean_env()
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_fails_loudly():
    r = _run("import ttdn.settings", TTDN_ENV="production")
    assert r.returncode != 0
    assert "TTDN_SECRET_KEY" in r.stderr


def test_unknown_environment_is_refused():
    r = _run("import ttdn.settings", TTDN_ENV="staging")
    assert r.returncode != 0 and "TTDN_ENV" in r.stderr


def test_database_url_selects_postgresql():
    r = _run(
        "import ttdn.settings as s; print(s.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
    )
    assert r.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize("backend", ["db", "rq", "immediate"])
def test_job_backend_is_chosen_by_environment(backend):
    r = _run(
        "import ttdn.settings as s; print(s.TASKS['default']['BACKEND'])",
        TTDN_TASKS_BACKEND=backend,
    )
    assert r.returncode == 0
    assert {"db": "django_tasks_db", "rq": "django_tasks_rq", "immediate": "Immediate"}[
        backend
    ] in r.stdout


def test_deploy_check_flags_the_development_key(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "ttdn.cli", "check", "--deploy"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **_clean_env(),
            "TTDN_DATA_DIR": str(tmp_path),
        },
    )
    assert "ttdn.E001" in r.stderr + r.stdout


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        **_clean_env(),
        "TTDN_ENV": "production",
        "TTDN_SECRET_KEY": "Xq7-random-production-secret-9f8e7d6c5b4a3210-ZyXwVuTsRqPoNm",
        "TTDN_HSTS_PRELOAD": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ttdn",
        "TTDN_ALLOWED_HOSTS": "ttdn.example.vn",
        "TTDN_DATA_DIR": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "-m", "ttdn.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert r.returncode == 0, r.stderr
