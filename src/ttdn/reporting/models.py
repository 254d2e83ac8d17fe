"""Execution and reporting: progress on tasks, reminders, report campaigns, KPIs.

The flow (DOMAIN.md, "How the work flows" 3–5): agencies record progress on their tasks;
the focal department opens a report campaign for a period and a set of agencies; each
agency submits a structured report prefilled from its tasks' progress; the department
aggregates a provincial report; the ministry compares provinces through KPI values that
are aggregated up the organisation tree.

Legal parameters (the reporting day, reminder offsets) are dated rows, not constants:
Decree 148/2026/NĐ-CP may move them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LegalParameter(models.Model):
    """A dated legal parameter, e.g. the annual report day "before 15 November".

    ``value`` is JSON so that one table holds days, lists of offsets and durations.
    The row in force on a day is the one whose validity covers it.
    """

    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    value = models.JSONField(_("value"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("legal parameter")
        verbose_name_plural = _("legal parameters")
        ordering = ["code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.code} = {self.value}"


class TaskUpdate(models.Model):
    """A progress update on a task by one agency (lead or coordinating).

    The lead's updates move the task's status; a coordinating agency's update is a
    contribution that leaves the status alone.
    """

    task = models.ForeignKey(
        "plans.Task", on_delete=models.CASCADE, related_name="updates", verbose_name=_("task")
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="task_updates",
        verbose_name=_("agency"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    happened_on = models.DateField(_("date"), default=dt.date.today)
    status = models.CharField(_("status after the update"), max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    narrative = models.TextField(_("what was done"))
    links = models.JSONField(_("links"), default=list, blank=True)
    figures = models.JSONField(
        _("figures"),
        default=dict,
        blank=True,
        help_text=_("KPI code → number, e.g. articles published, participants, budget spent."),
    )
    is_lead = models.BooleanField(_("by the lead agency"), default=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["task", "-happened_on"])]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.narrative[:60]}"


class Evidence(models.Model):
    """A file attached to a progress update (photo, minutes, publication)."""

    update = models.ForeignKey(TaskUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app notification; e-mailed in the user's daily digest.

    ``key`` makes creation idempotent: the reminder job may run twice (a restart, two
    workers) and still create each reminder once.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline approaching")
        DUE_TODAY = "due_today", _("Due today")
        OVERDUE = "overdue", _("Overdue")
        CAMPAIGN = "campaign", _("Report requested")
        RETURNED = "returned", _("Report returned for correction")
        SUBMITTED = "submitted", _("Report submitted")
        PRESS = "press", _("Press alert")
        CASE = "case", _("Response case")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=200)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class DigestRun(models.Model):
    """One daily digest per user and day: claimed before sending, so never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class ReportCampaign(models.Model):
    """A call for reports: "Báo cáo kết quả công tác TTĐN năm 2026", due before 15/11."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    owner = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="report_campaigns",
        verbose_name=_("focal department"),
    )
    scope = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    instructions = models.TextField(_("instructions"), blank=True)
    kpis = models.ManyToManyField(
        "reporting.KpiDefinition", blank=True, related_name="+", verbose_name=_("KPI figures")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report campaign")
        verbose_name_plural = _("report campaigns")
        ordering = ["-year", "-due", "-id"]

    def __str__(self) -> str:
        return self.title


class ReportSubmission(models.Model):
    """One agency's report in a campaign. ``version`` guards against lost updates."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        ACCEPTED = "accepted", _("Accepted")

    campaign = models.ForeignKey(
        ReportCampaign, on_delete=models.CASCADE, related_name="submissions"
    )
    agency = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="report_submissions",
        verbose_name=_("agency"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    narrative = models.TextField(_("results"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    task_results = models.JSONField(
        _("results per task"),
        default=list,
        blank=True,
        help_text=_("One entry per task: task id, status, progress, result."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["campaign", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "agency"], name="one_report_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.agency}"

    @property
    def is_late(self) -> bool:
        done = self.status in {self.Status.SUBMITTED, self.Status.ACCEPTED}
        if done and self.submitted_at is not None:
            return self.submitted_at.date() > self.campaign.due
        return not done and dt.date.today() > self.campaign.due


class KpiDefinition(models.Model):
    """An indicator of the field, defined as data (like a DHIS2 data element)."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        COUNT = "count", _("Count of agencies with a value")
        SHARE = "share", _("Share of agencies with a yes")
        LATEST = "latest", _("Latest value")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    level = models.CharField(
        _("reported by"),
        max_length=16,
        default="agency",
        choices=[("agency", _("each agency")), ("province", _("the province"))],
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("KPI definition")
        verbose_name_plural = _("KPI definitions")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class KpiValue(models.Model):
    """A value of an indicator for one organisation and one year."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered")
        COMPUTED = "computed", _("Computed from tasks")

    definition = models.ForeignKey(KpiDefinition, on_delete=models.PROTECT, related_name="values")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="kpi_values"
    )
    province = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Denormalised: the province the organisation belongs to, for aggregation."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ENTERED)
    submission = models.ForeignKey(
        ReportSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "organisation", "year"], name="kpi_value_once"
            )
        ]
        indexes = [models.Index(fields=["definition", "year", "province"])]

    def __str__(self) -> str:
        return f"{self.definition.code} {self.organisation_id} {self.year}: {self.value}"


def open_task_q() -> Q:
    return ~Q(status__in=["done", "cancelled"])


class ProvinceYearStats(models.Model):
    """Denormalised figures of one province and one year, for the national view.

    A summary, never a source of truth: ``ttdn.reporting.national.stats_refresh`` rebuilds
    a row from plans, tasks, updates and campaigns with GROUP BY queries (after a bulk
    load, from a periodic job, and whenever a province page is opened). See
    docs/adr/0006-national-aggregates.md.
    """

    province = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("province"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_number = models.CharField(_("plan number"), max_length=64, blank=True)
    plan_issued_date = models.DateField(_("plan issued on"), null=True, blank=True)
    plans = models.PositiveIntegerField(_("published plans"), default=0)
    tasks = models.PositiveIntegerField(_("tasks"), default=0)
    not_started = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(
        default=0, help_text=_("Open tasks past their due date, or marked overdue.")
    )
    cancelled = models.PositiveIntegerField(default=0)
    updates = models.PositiveIntegerField(_("progress updates"), default=0)
    campaign = models.ForeignKey(
        ReportCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reports_expected = models.PositiveIntegerField(default=0)
    reports_done = models.PositiveIntegerField(default=0)
    reports_late = models.PositiveIntegerField(default=0)
    computed_on = models.DateField(
        _("computed for"), help_text=_("The day overdue and late were judged against.")
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("province figures for a year")
        verbose_name_plural = _("province figures per year")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="province_year_stats_once")
        ]
        indexes = [models.Index(fields=["year", "province"])]

    def __str__(self) -> str:
        return f"{self.province_id} {self.year}"
