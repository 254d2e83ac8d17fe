"""Request context for audit rows (the client address), kept in a context variable."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("ttdn_audit_ip", default=None)
