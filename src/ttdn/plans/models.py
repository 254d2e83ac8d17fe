"""Plans (kế hoạch), their numbered sections and the tasks they assign to agencies.

A plan belongs to its issuing organisation; a draft is visible only inside the issuer's
scope, a published plan to everyone signed in. Tasks link to the organisation directory
through ``TaskAgency`` rows, which keep the name as written in the document and the
resolver's confidence, so that a person can confirm or correct the link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REPLACED = "replaced", _("Replaced")

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        GUIDANCE = "guidance", _("Guidance")

    issuer = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("issuer"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PLAN)
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("number"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    issued_date = models.DateField(_("issued on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    report_deadline = models.CharField(_("report deadline"), max_length=255, blank=True)
    legal_bases = models.JSONField(_("legal bases"), default=list, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-issued_date", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=40)
    heading = models.TextField(_("heading"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


class Task(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        OVERDUE = "overdue", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    summary = models.TextField(_("summary"))
    deadline_text = models.CharField(_("deadline as written"), max_length=255, blank=True)
    due = models.DateField(_("due"), null=True, blank=True, db_index=True)
    recurrence = models.CharField(_("recurrence"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.summary[:80]


class TaskAgency(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        COORDINATING = "coordinating", _("Coordinating")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="agencies")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name_as_written = models.CharField(_("name as written"), max_length=300)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_links",
        verbose_name=_("organisation"),
    )
    confidence = models.FloatField(_("confidence"), default=0.0)
    is_collective = models.BooleanField(
        _("collective"),
        default=False,
        help_text=_("A group such as “Các sở, ban, ngành”, not one organisation."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("task agency")
        verbose_name_plural = _("task agencies")
        ordering = ["task", "role", "position"]

    def __str__(self) -> str:
        return self.name_as_written


class PlanVersion(models.Model):
    """A snapshot of a plan's full structure, taken at every publish and edit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("structure"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class PlanImport(models.Model):
    """An uploaded plan document being reviewed before it is published.

    Holds the parser's structure (``data``, the contract shape, edited in the review), the
    extracted text, and the reviewer's decisions: the issuer and, for agency names the
    resolver could not settle, the organisation chosen (``agency_choices``: name as
    written → organisation id, or 0 for "leave unlinked"). The uploaded file itself is
    never kept.
    """

    class Status(models.TextChoices):
        REVIEW = "review", _("Under review")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="plan_imports",
        verbose_name=_("owner"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Plan.Kind.choices, default=Plan.Kind.PLAN
    )
    filename = models.CharField(_("file name"), max_length=255)
    data = models.JSONField(_("structure"), default=dict)
    source_text = models.TextField(_("source text"), blank=True)
    issuer = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuer"),
    )
    agency_choices = models.JSONField(_("agency choices"), default=dict, blank=True)
    replaces = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replaces"),
    )
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name=_("plan"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REVIEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.data.get("title") or self.filename)


# Module-level names of the choice sets, for drf-spectacular's ENUM_NAME_OVERRIDES
# (it imports dotted paths and cannot reach classes nested in a model).
PlanStatus = Plan.Status
PlanKind = Plan.Kind
TaskStatus = Task.Status
PlanImportStatus = PlanImport.Status
