"""Press monitoring and rapid response.

Sources (feeds, sitemaps, listing pages, social-media exports) yield ``Item`` rows that go
through the pipeline stages (``pipeline.py``); the stage is stored on the row, so a killed
worker leaves every item where it was and the next run takes it up again. Items about the
same story form a ``Cluster``. Officers search items (``search.py``), receive ``Alert``s,
and answer false information through a ``Case`` with a timeline of ``CaseEvent``s
measured against dated ``ServiceLevel``s.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AllowedHost(models.Model):
    """A host on a private network that an administrator allows as a source."""

    host = models.CharField(_("host"), max_length=255, unique=True)
    note = models.CharField(_("why it is allowed"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allowed private host")
        verbose_name_plural = _("allowed private hosts")
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", _("RSS/Atom feed")
        SITEMAP = "sitemap", _("Sitemap")
        LISTING = "listing", _("Listing page")
        FILE = "file", _("Imported file (social media)")

    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("Not fetched yet")
        OK = "ok", _("Working")
        FAILING = "failing", _("Failing")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    owner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("monitored by"),
        on_delete=models.PROTECT,
        related_name="press_sources",
    )
    is_foreign = models.BooleanField(_("foreign outlet"), default=False)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Empty: detected per item.")
    )
    interval_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=60)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute to this host"), default=30
    )
    active = models.BooleanField(_("active"), default=True)
    # conditional GET and health
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last success"), null=True, blank=True)
    health = models.CharField(
        _("health"), max_length=16, choices=Health.choices, default=Health.UNKNOWN
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("press source")
        verbose_name_plural = _("press sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FetchRun(models.Model):
    """One collection from a source: the health history shown on the source page."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Collected")
        NOT_MODIFIED = "not_modified", _("Unchanged since last time")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    found = models.PositiveIntegerField(default=0)
    new_items = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Cluster(models.Model):
    """The same story across outlets and languages."""

    title = models.CharField(_("title"), max_length=500)
    first_seen = models.DateTimeField(_("first seen"), db_index=True)
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    size = models.PositiveIntegerField(_("items"), default=0)
    languages = models.JSONField(default=list)
    provinces = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    sentiment = models.CharField(max_length=10, blank=True)
    signature = models.JSONField(default=list)
    # how many members have each language, province, topic and sentiment, kept as items
    # join (``{"lang": {"vi": 3}, "province": {...}, "topic": {...}, "sentiment": {...}}``),
    # so a story's summary is updated from the batch alone, not re-read from its members
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """An article, post or comment collected from a source."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        POST = "post", _("Social-media post")
        COMMENT = "comment", _("Comment")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Waiting to be downloaded")
        FETCHED = "fetched", _("Downloaded, waiting for analysis")
        DONE = "done", _("Analysed and indexed")
        FAILED = "failed", _("Failed")

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    url = models.CharField(_("address"), max_length=2000)
    url_hash = models.CharField(max_length=40, unique=True)
    external_id = models.CharField(max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.CharField(pgettext_lazy("press item", "author"), max_length=300, blank=True)
    published_at = models.DateTimeField(
        pgettext_lazy("press item", "published"), null=True, blank=True
    )
    collected_at = models.DateTimeField(_("collected"), auto_now_add=True)
    # Newest-first order and the search index's row id: microseconds of the publication
    # (or collection) time, made unique. See docs/adr/0007-press-search.md.
    sort_key = models.BigIntegerField(unique=True)
    lang = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    provinces = models.JSONField(_("provinces"), default=list)
    topics = models.JSONField(_("topics"), default=list)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    sentiment_score = models.FloatField(default=0.0)
    mentions = models.JSONField(default=list)
    content_hash = models.CharField(max_length=40, blank=True, db_index=True)
    simhash = models.BigIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUEUED)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    html = models.BinaryField(null=True, blank=True, editable=False)
    charset = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("press item")
        verbose_name_plural = _("press items")
        indexes = [
            models.Index(fields=["stage", "lease_until"], name="mon_item_stage"),
            models.Index(fields=["source", "-sort_key"], name="mon_item_source"),
            models.Index(fields=["cluster", "-sort_key"], name="mon_item_cluster"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def when(self) -> dt.datetime:
        return self.published_at or self.collected_at


class ItemTopic(models.Model):
    """One topic of one item (items have several): the dashboard's shares."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="topic_rows")
    code = models.CharField(max_length=64)
    day = models.DateField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="mon_itemtopic_uniq")]
        indexes = [models.Index(fields=["code", "day"], name="mon_itemtopic_code")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.code}"


class ItemProvince(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="province_rows")
    province = models.CharField(max_length=100)
    day = models.DateField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "province"], name="mon_itemprovince_uniq")
        ]
        indexes = [models.Index(fields=["province", "day"], name="mon_itemprovince_p")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.province}"


class Topic(models.Model):
    """The topic taxonomy and its keywords: data that users edit (DOMAIN.md codes)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    keywords = models.JSONField(_("keywords by language"), default=dict)
    extra = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_vi

    # keyword groups beside ``keywords``, kept in ``extra`` (see analysis/topics.py)
    def keyword_group(self, name: str) -> dict[str, list[str]]:
        return dict((self.extra or {}).get(name) or {})

    @property
    def strong_keywords(self) -> dict[str, list[str]]:
        return self.keyword_group("strong_keywords")

    @property
    def weak_keywords(self) -> dict[str, list[str]]:
        return self.keyword_group("weak_keywords")

    @property
    def negative_keywords(self) -> dict[str, list[str]]:
        return self.keyword_group("negative_keywords")

    def as_record(self) -> dict:
        return {
            **(self.extra or {}),
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "keywords": self.keywords,
        }


class WatchTerm(models.Model):
    """A term an organisation follows (a name, a project, a rumour's keyword)."""

    term = models.CharField(_("term"), max_length=200)
    owner = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="watch_terms"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("watched term")
        verbose_name_plural = _("watched terms")
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["owner", "term"], name="mon_watch_uniq")]

    def __str__(self) -> str:
        return self.term


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=200)
    query = models.CharField(_("search"), max_length=500, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        SENTIMENT = "sentiment", _("Negative items")
        KEYWORD = "keyword", _("Keyword")
        SPIKE = "spike", _("Volume spike")

    owner = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="alert_rules"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    keyword = models.CharField(_("keyword"), max_length=200, blank=True)
    province = models.CharField(
        _("province"), max_length=100, blank=True, help_text=_("Empty: any province.")
    )
    spike_factor = models.FloatField(
        _("spike: times the usual hourly volume"), default=3.0, help_text=_("Volume spikes only.")
    )
    spike_min_items = models.PositiveIntegerField(_("spike: at least this many items"), default=5)
    email = models.BooleanField(_("send e-mail"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=200, unique=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.CharField(_("message"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class MonitorDigestRun(models.Model):
    """One digest (daily or weekly) to one user: never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)  # "daily" | "weekly"
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "day"], name="mon_digest_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.day}"


class ServiceLevel(models.Model):
    """How long a step of a response case may take: dated data, not code."""

    step = models.CharField(_("step"), max_length=16)
    hours = models.FloatField(_("hours allowed"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["step", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.step}: {self.hours} h"


class Case(models.Model):
    """A rapid-response case: answer a false or distorted story."""

    class Status(models.TextChoices):
        OPEN = "open", _("Opened")
        ASSIGNED = "assigned", _("Assigned")
        IN_REVIEW = "in_review", _("Draft awaiting approval")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", pgettext_lazy("response case", "Published")
        CLOSED = "closed", _("Closed")

    class Severity(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Outcome(models.TextChoices):
        REFUTED = "refuted", _("Refuted")
        CORRECTED = "corrected", _("Outlet corrected or removed it")
        CLARIFIED = "clarified", _("Clarified")
        NO_ACTION = "no_action", _("No response needed")

    title = models.CharField(_("title"), max_length=500)
    owner = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("province or agency in charge"),
        on_delete=models.PROTECT,
        related_name="press_cases",
    )
    assigned_to = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_press_cases",
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    summary = models.TextField(_("what is false or distorted"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    draft = models.TextField(_("clarification or refutation"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_url = models.URLField(_("published at (link)"), max_length=1000, blank=True)
    published_note = models.CharField(_("where it was published"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome notes"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("response case")
        verbose_name_plural = _("response cases")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    step_hours = models.FloatField(null=True, blank=True)
    sla_hours = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.to_status}"


class EvidenceLink(models.Model):
    """A case or an item attached to a plan task or a report submission as evidence."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links"
    )
    task = models.ForeignKey(
        "plans.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="press_links"
    )
    submission = models.ForeignKey(
        "reporting.ReportSubmission",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="press_links",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(item__isnull=False),
                name="mon_evidence_has_object",
            ),
            models.CheckConstraint(
                condition=models.Q(task__isnull=False) | models.Q(submission__isnull=False),
                name="mon_evidence_has_target",
            ),
        ]

    def __str__(self) -> str:
        what = f"case {self.case_id}" if self.case_id else f"item {self.item_id}"
        where = f"task {self.task_id}" if self.task_id else f"submission {self.submission_id}"
        return f"{what} → {where}"
