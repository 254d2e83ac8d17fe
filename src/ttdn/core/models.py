"""Bookkeeping of the platform itself."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """A daily job enqueued for a day (see core/scheduler.py)."""

    name = models.CharField(max_length=100)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="scheduled_once_a_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"
