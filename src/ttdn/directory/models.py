"""The organisation directory: who exists, when, under whom, under which names.

Organisations change: the 2025 reorganisation merged 63 provinces into 34, removed the
district level and moved the TTĐN function between ministries and departments. So an
organisation carries validity dates and successors, its names as written in documents
are aliases, and the functions it holds (focal department, national supervisor) are
dated rows of their own rather than fixed names in code.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ttdn.core.text import fold


class OrganisationKind(models.TextChoices):
    NATIONAL_AGENCY = "national_agency", _("National agency")
    PROVINCE = "province", _("Province")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    DEPARTMENT = "department", _("Provincial department")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune or ward")
    PRESS = "press", _("Press organ")
    PARTY = "party", _("Party organ")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A body that can issue plans, be assigned tasks or report.

    ``path`` is the materialised path of primary keys from the root ("/1/8/23/"): scope
    checks and subtree listings are one indexed ``startswith`` query. It is kept by the
    service functions in ``services.py``, never by ``save()``.
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        db_index=True,
        help_text=_("Administrative code (province, commune) or the agency's own code."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Last day the organisation existed; empty while it exists."),
    )
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_key = models.CharField(max_length=255, db_index=True, editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= dt.date.today()

    def province(self) -> Organisation | None:
        """The province this organisation belongs to (itself for a province)."""
        if self.kind == OrganisationKind.PROVINCE:
            return self
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return (
            Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.PROVINCE)
            .order_by("-depth")
            .first()
        )


def valid_on(day: dt.date) -> Q:
    """Filter for organisations that existed on ``day``."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


class OrganisationAlias(models.Model):
    """Another way the organisation is written: abbreviation, variant or former name."""

    class Kind(models.TextChoices):
        ABBREVIATION = "abbreviation", _("Abbreviation")
        VARIANT = "variant", _("Variant spelling")
        FORMER = "former", _("Former name")
        FOREIGN = "foreign", _("Name in another language")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VARIANT)
    language = models.CharField(_("language"), max_length=8, default="vi")
    search_key = models.CharField(max_length=255, db_index=True, editable=False, blank=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="alias_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_key(self) -> None:
        self.search_key = fold(self.name)[:255]


class OrganisationFunction(models.Model):
    """A function held by an organisation over a period (data, not code).

    "The focal department for TTĐN in Tuyên Quang" was Sở Thông tin và Truyền thông until
    2025 and Sở Văn hóa, Thể thao và Du lịch after: two rows with dates.
    """

    class Function(models.TextChoices):
        FOCAL_TTDN = "focal_ttdn", _("Focal department for foreign information")
        NATIONAL_SUPERVISOR = "national_supervisor", _("National supervising agency")
        STEERING_COMMITTEE = "steering_committee", _("Foreign-information steering committee")
        SPOKESPERSON_OFFICE = "spokesperson_office", _("Spokesperson's office")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="functions",
        verbose_name=_("organisation"),
    )
    function = models.CharField(_("function"), max_length=32, choices=Function.choices)
    scope = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="function_holders",
        null=True,
        blank=True,
        verbose_name=_("for"),
        help_text=_("The province (or the nation's root) the function is held for."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ["function", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.get_function_display()}: {self.organisation}"


class Country(models.Model):
    """A foreign partner country: national day (greetings) and diplomatic relations."""

    iso2 = models.CharField(_("ISO code"), max_length=2, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    national_day = models.DateField(
        _("national day"),
        null=True,
        blank=True,
        help_text=_("Month and day are what matter; the year is the founding year if known."),
    )
    national_day_name = models.CharField(_("national day name"), max_length=200, blank=True)
    relations_established = models.DateField(
        _("diplomatic relations with Vietnam since"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_vi"]

    def __str__(self) -> str:
        return self.name_vi


class PartnerLocality(models.Model):
    """A foreign locality twinned or cooperating with a province."""

    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name in its language"), max_length=200, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="localities", verbose_name=_("country")
    )
    province = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partner_localities",
        limit_choices_to={"kind": OrganisationKind.PROVINCE},
        verbose_name=_("province"),
    )
    relation = models.CharField(_("relation"), max_length=200, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner locality")
        verbose_name_plural = _("partner localities")
        ordering = ["country__name_vi", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class Person(models.Model):
    """A spokesperson or contact person of an agency.

    Personal data (Law 91/2025/QH15): only what the work needs: a name, the position,
    work contacts. No private address, no identity number. Exportable and erasable
    through ``services.person_export`` / ``services.person_erase``.
    """

    class Role(models.TextChoices):
        SPOKESPERSON = "spokesperson", _("Spokesperson")
        DEPUTY_SPOKESPERSON = "deputy_spokesperson", _("Authorised spokesperson")
        CONTACT = "contact", _("Contact person")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("organisation"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    position = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CONTACT)
    work_email = models.EmailField(_("work e-mail"), blank=True)
    work_phone = models.CharField(_("work phone"), max_length=40, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Spokespersons are announced publicly; other contacts are not."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["organisation__name", "full_name"]

    def __str__(self) -> str:
        return self.full_name


class DirectoryImport(models.Model):
    """An uploaded CSV/XLSX file and what importing it did (run as a background job)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was written")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("directory import")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
