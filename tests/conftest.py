"""Shared pytest fixtures. The environment (TTDN_ENV=test, jobs in-process unless a test
says otherwise) is set by pytest-env from pyproject.toml, before Django starts."""

from __future__ import annotations

import pytest

from tests.factories import make_org, make_user


@pytest.fixture
def province(db):
    return make_org("Tỉnh Thử Nghiệm", "province", code="99")


@pytest.fixture
def make_organisation(db):
    return make_org


@pytest.fixture
def make_account(db):
    return make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (pages cache figures for a minute)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
