"""Reference data for the directory: administrative units, province structures, national
agencies and partner countries, loaded from data files rather than written in code.

Everything that changes with reorganisations (the 63 → 34 provinces of 1 July 2025, the
departments merged around 1 March 2025, the TTĐN function moving between agencies) is
data: the administrative units come from the installed ``vietnamadminunits`` package,
the rest from the JSON files in ``data/``. Each loader is idempotent: it identifies what
already exists and reports ``created`` / ``updated`` / ``unchanged`` counts, so running it
twice creates nothing the second time.

Decisions
- **No national root.** Provinces and national agencies sit at the top of the tree. A
  province is the natural scope of user permissions (paths start at the province), and
  the nation-wide functions (national supervisor) use ``scope=None``.
- **Units keyed by code and dates.** Province codes were reused in 2025 (code 24 was Bắc
  Giang and is now Bắc Ninh), so a unit is identified by ``(kind, code, valid_from,
  valid_to)``. The 11 unchanged provinces are one organisation without dates; the 52
  merged ones end on 2025-06-30 with the new province as successor (through
  ``organisation_end``); the 23 new ones start on 2025-07-01.
- **Bulk loads of districts and communes** (hundreds or thousands of rows) are written
  with ``bulk_create`` and leave one summary audit row per load with the counts, instead
  of one row per unit: the audit log records that an import happened and what it did,
  and the data itself is reproducible from the package version. Provinces, structures
  and agencies go through the ordinary service functions (one audit row per change).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from ttdn.audit.services import audit_record, snapshot
from ttdn.core.text import fold, squash

from .models import (
    Country,
    Organisation,
    OrganisationAlias,
    OrganisationFunction,
    OrganisationKind,
)
from .services import (
    SYSTEM,
    alias_add,
    function_assign,
    organisation_create,
    organisation_end,
    organisation_update,
)

REORGANISED_ON = dt.date(2025, 7, 1)
LAST_DAY_BEFORE = dt.date(2025, 6, 30)

Progress = Callable[[str, int, int], None]
Counts = dict[str, int]

_Alias = tuple[str, str]


def data_path(name: str) -> Path:
    """A file of ``ttdn/directory/data`` (shipped as package data)."""
    return Path(str(resources.files("ttdn.directory") / "data" / name))


@cache
def load_json(name: str) -> Any:
    with data_path(name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _counts() -> Counts:
    return {"created": 0, "updated": 0, "unchanged": 0}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _unaccented(text: str) -> str:
    """ "Tuyên Quang" → "Tuyen Quang" (capitals kept): how names are typed without IME."""
    import unicodedata

    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    )


# --- Administrative units ----------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    key: str  # the package's folded key ("tinhtuyenquang")
    name: str  # "Tỉnh Tuyên Quang"
    short: str  # "Tuyên Quang"
    code: str  # "08"


def _package_file(name: str) -> Path:
    return Path(str(resources.files("vietnamadminunits") / "data" / name))


def _read_units() -> tuple[list[_Unit], list[_Unit], dict[str, list[str]]]:
    """(old provinces, new provinces, new key → old keys) from the installed package."""
    db = sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True)
    try:
        q = "SELECT DISTINCT provinceKey, province, provinceShort, provinceCode FROM {}"
        old = [_Unit(*row) for row in db.execute(q.format("admin_units_legacy"))]
        new = [_Unit(*row) for row in db.execute(q.format("admin_units"))]
    finally:
        db.close()
    with _package_file("converter_2025.json").open(encoding="utf-8") as fh:
        mapping: dict[str, list[str]] = json.load(fh)["DICT_PROVINCE"]
    return sorted(old, key=lambda u: u.code), sorted(new, key=lambda u: u.code), mapping


def _province_aliases(unit: _Unit) -> list[_Alias]:
    kind_word = unit.name[: len(unit.name) - len(unit.short)].strip()  # "Tỉnh" / "Thành phố"
    aliases: list[_Alias] = [
        (unit.short, OrganisationAlias.Kind.VARIANT),
        (_unaccented(unit.short), OrganisationAlias.Kind.VARIANT),
        (_unaccented(unit.name), OrganisationAlias.Kind.VARIANT),
        (f"{kind_word.lower()} {unit.short}", OrganisationAlias.Kind.VARIANT),
    ]
    return aliases


def _ensure_aliases(org: Organisation, aliases: Iterable[_Alias], actor: Any) -> int:
    """Add the aliases ``org`` lacks (through ``alias_add``); returns how many were added."""
    have = {fold(a) for a in org.aliases.values_list("name", flat=True)} | {fold(org.name)}
    added = 0
    for name, kind in aliases:
        name = squash(name)
        if name and fold(name) not in have:
            alias_add(actor=actor, org=org, name=name, kind=kind)
            have.add(fold(name))
            added += 1
    return added


def _upsert_org(
    *,
    actor: Any,
    counts: Counts,
    existing: Organisation | None,
    name: str,
    kind: str,
    parent: Organisation | None,
    aliases: list[_Alias],
    **fields: Any,
) -> Organisation:
    """Create the organisation, or bring the existing one's name and aliases up to date."""
    if existing is None:
        counts["created"] += 1
        return organisation_create(
            actor=actor, name=name, kind=kind, parent=parent, aliases=aliases, **fields
        )
    changes = {
        k: v for k, v in {"name": squash(name), **fields}.items() if getattr(existing, k) != v
    }
    if changes:
        existing = organisation_update(actor=actor, org=existing, **changes)
    added = _ensure_aliases(existing, aliases, actor)
    counts["updated" if changes or added else "unchanged"] += 1
    return existing


def _province_extra_aliases(code: str) -> list[_Alias]:
    extra = load_json("province_aliases.json")["aliases"].get(code, [])
    return [(str(n), str(k)) for n, k in extra]


@transaction.atomic
def load_admin_units(
    *,
    actor: Any = SYSTEM,
    with_communes: bool = False,
    with_districts: bool | Iterable[str] = False,
    progress: Progress | None = None,
) -> Counts:
    """Load the 63 pre-2025 and 34 post-2025 provinces (and optionally districts, communes).

    ``with_districts``: ``True`` for all 696 districts (valid until 2025-06-30), or an
    iterable of pre-2025 province codes to load only theirs. ``with_communes``: the 3,321
    communes of the new provinces (valid from 2025-07-01). Returns counts over everything
    written; aliases added to an existing unit count it as updated.
    """
    from . import resolver  # the name index must see the new units

    counts = _counts()
    old_units, new_units, mapping = _read_units()
    old_by_key = {u.key: u for u in old_units}
    existing: dict[tuple[str, dt.date | None, dt.date | None], Organisation] = {
        (o.code, o.valid_from, o.valid_to): o
        for o in Organisation.objects.filter(kind=OrganisationKind.PROVINCE)
    }
    total = len(old_units) + len(new_units)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("provinces", done, total)

    unchanged_keys = {k for k, olds in mapping.items() if len(olds) == 1}
    new_orgs: dict[str, Organisation] = {}  # new key → organisation valid after 2025
    old_orgs: dict[str, Organisation] = {}  # old key → organisation valid before 2025
    for unit in new_units:
        unchanged = unit.key in unchanged_keys
        valid_from = None if unchanged else REORGANISED_ON
        aliases = _province_aliases(unit) + _province_extra_aliases(unit.code)
        org = _upsert_org(
            actor=actor,
            counts=counts,
            existing=existing.get((unit.code, valid_from, None)),
            name=unit.name,
            kind=OrganisationKind.PROVINCE,
            parent=None,
            aliases=aliases,
            short_name=unit.short,
            code=unit.code,
            valid_from=valid_from,
        )
        new_orgs[unit.key] = org
        if unchanged:
            old_orgs[mapping[unit.key][0]] = org
            done += 1  # the pre-2025 unit is the same organisation
        tick()

    successor_of = {old: new for new, olds in mapping.items() for old in olds}
    for unit in old_units:
        if unit.key in old_orgs:
            continue
        successor = new_orgs[successor_of[unit.key]]
        # looked up by the end date it has after a first run, or none if a previous run
        # was interrupted between create and end (the whole load is one transaction, so
        # only an edited directory can be in that state)
        found = existing.get((unit.code, None, LAST_DAY_BEFORE))
        org = _upsert_org(
            actor=actor,
            counts=counts,
            existing=found,
            name=unit.name,
            kind=OrganisationKind.PROVINCE,
            parent=None,
            aliases=_province_aliases(unit),
            short_name=unit.short,
            code=unit.code,
        )
        if org.valid_to != LAST_DAY_BEFORE or not org.successors.filter(pk=successor.pk).exists():
            organisation_end(actor=actor, org=org, last_day=LAST_DAY_BEFORE, successors=[successor])
        old_orgs[unit.key] = org
        tick()

    if with_districts:
        only = None if with_districts is True else {str(c) for c in with_districts}
        _merge(counts, _load_districts(actor, old_orgs, old_by_key, only, progress))
    if with_communes:
        _merge(counts, _load_communes(actor, new_orgs, progress))
    transaction.on_commit(resolver.clear_cache)
    resolver.clear_cache()
    return counts


def _merge(into: Counts, other: Counts) -> None:
    for key, value in other.items():
        into[key] = into.get(key, 0) + value


def _bulk_units(
    *,
    actor: Any,
    label: str,
    kind: str,
    rows: list[tuple[Organisation, str, str, str]],
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    progress: Progress | None,
) -> Counts:
    """Create or rename many units below their provinces in a few queries.

    ``rows``: (parent, code, name, short name). One summary audit row records the load.
    """
    counts = _counts()
    existing = {
        o.code: o
        for o in Organisation.objects.filter(kind=kind, valid_from=valid_from, valid_to=valid_to)
    }
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    for parent, code, name, short in rows:
        org = existing.get(code)
        if org is None:
            to_create.append(
                Organisation(
                    name=name,
                    short_name=short,
                    kind=kind,
                    parent=parent,
                    code=code,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    search_key=fold(name)[:255],
                    path=parent.path,
                    depth=parent.depth + 1,
                )
            )
        elif org.name != name or org.short_name != short or org.parent_id != parent.pk:
            org.name, org.short_name, org.parent = name, short, parent
            org.search_key = fold(name)[:255]
            org.path, org.depth = f"{parent.path}{org.pk}/", parent.depth + 1
            to_update.append(org)
        else:
            counts["unchanged"] += 1
    batch = 500
    for start in range(0, len(to_create), batch):
        chunk = Organisation.objects.bulk_create(to_create[start : start + batch])
        for org in chunk:
            # bulk_create returns primary keys on SQLite ≥ 3.35 and PostgreSQL
            org.path = f"{org.path}{org.pk}/"
        Organisation.objects.bulk_update(chunk, ["path"])
        aliases = [
            OrganisationAlias(
                organisation=org,
                name=alias,
                kind=OrganisationAlias.Kind.VARIANT,
                search_key=fold(alias)[:255],
            )
            for org in chunk
            for alias in dict.fromkeys([org.short_name, _unaccented(org.short_name)])
            if alias and alias != org.name
        ]
        OrganisationAlias.objects.bulk_create(aliases, ignore_conflicts=True)
        if progress:
            progress(label, min(start + batch, len(to_create)), len(to_create))
    if to_update:
        Organisation.objects.bulk_update(
            to_update,
            ["name", "short_name", "parent", "search_key", "path", "depth"],
            batch_size=batch,
        )
    counts["created"] = len(to_create)
    counts["updated"] = len(to_update)
    if to_create or to_update:
        audit_record(
            actor=actor,
            action="import",
            object_type="directory.organisation",
            object_repr=f"{label} ({kind}) from vietnamadminunits",
            changes={
                "kind": kind,
                **counts,
                "valid_from": valid_from.isoformat() if valid_from else None,
                "valid_to": valid_to.isoformat() if valid_to else None,
            },
        )
    return counts


def _load_districts(
    actor: Any,
    old_orgs: dict[str, Organisation],
    old_by_key: dict[str, _Unit],
    only: set[str] | None,
    progress: Progress | None,
) -> Counts:
    db = sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True)
    try:
        found = db.execute(
            "SELECT DISTINCT provinceKey, districtCode, district, districtShort "
            "FROM admin_units_legacy ORDER BY districtCode"
        ).fetchall()
    finally:
        db.close()
    rows = [
        (old_orgs[pkey], code, name, short)
        for pkey, code, name, short in found
        if only is None or old_by_key[pkey].code in only
    ]
    return _bulk_units(
        actor=actor,
        label="districts",
        kind=OrganisationKind.DISTRICT,
        rows=rows,
        valid_from=None,
        valid_to=LAST_DAY_BEFORE,
        progress=progress,
    )


def _load_communes(
    actor: Any, new_orgs: dict[str, Organisation], progress: Progress | None
) -> Counts:
    db = sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True)
    try:
        found = db.execute(
            "SELECT provinceKey, wardCode, ward, wardShort FROM admin_units ORDER BY wardCode"
        ).fetchall()
    finally:
        db.close()
    rows = [(new_orgs[pkey], code, name, short) for pkey, code, name, short in found]
    return _bulk_units(
        actor=actor,
        label="communes",
        kind=OrganisationKind.COMMUNE,
        rows=rows,
        valid_from=REORGANISED_ON,
        valid_to=None,
        progress=progress,
    )


def province_valid_on(short_name: str, day: dt.date) -> Organisation | None:
    """The province called ``short_name`` ("Tuyên Quang") as it existed on ``day``."""
    key = fold(short_name)
    for org in Organisation.objects.filter(kind=OrganisationKind.PROVINCE):
        if fold(org.short_name or org.name) == key and org.is_valid_on(day):
            return org
    return None


# --- Templated structures (province, national) --------------------------------------


def _clip(
    start: dt.date | None,
    end: dt.date | None,
    outer_start: dt.date | None,
    outer_end: dt.date | None,
) -> tuple[dt.date | None, dt.date | None] | None:
    """The intersection of two validity ranges (None = open), or None when empty."""
    lo = max((d for d in (start, outer_start) if d), default=None)
    hi = min((d for d in (end, outer_end) if d), default=None)
    if lo and hi and hi < lo:
        return None
    return lo, hi


def _apply_template(
    *,
    entries: list[dict[str, Any]],
    actor: Any,
    root: Organisation | None,
    render: Callable[[str], str],
    outer: tuple[dt.date | None, dt.date | None],
    scope: Organisation | None,
    on: dt.date | None,
) -> Counts:
    """Create the organisations of a structure template below ``root`` (None: top level).

    An entry is found again by its parent, kind and folded name, so re-running creates
    nothing; its dates are clipped to ``outer`` (the province's own validity).
    """
    counts = _counts()
    orgs: dict[str, Organisation] = {}
    ends: list[tuple[Organisation, dt.date, list[str]]] = []
    for entry in entries:
        window = _clip(_date(entry.get("valid_from")), _date(entry.get("valid_to")), *outer)
        if window is None:
            continue
        valid_from, valid_to = window
        if on is not None and not (
            (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)
        ):
            continue
        parent_key = entry.get("parent")
        if parent_key and parent_key not in orgs:
            continue  # the parent was skipped (not valid in this window)
        parent = orgs[parent_key] if parent_key else root
        name = squash(render(entry["name"]))
        kind = entry["kind"]
        found = next(
            (
                o
                for o in Organisation.objects.filter(parent=parent, kind=kind)
                if fold(o.name) == fold(name)
            ),
            None,
        )
        successors = list(entry.get("successors", []))
        # an entry that ends with successors is ended by organisation_end (audited with
        # its successors); one that ends only because its province ends gets the date
        ends_itself = (
            bool(successors) and valid_to is not None and valid_to == _date(entry.get("valid_to"))
        )
        aliases = [(squash(render(a)), k) for a, k in entry.get("aliases", [])]
        org = _upsert_org(
            actor=actor,
            counts=counts,
            existing=found,
            name=name,
            kind=kind,
            parent=parent,
            aliases=aliases,
            valid_from=valid_from,
            **({} if ends_itself else {"valid_to": valid_to}),
        )
        orgs[entry["key"]] = org
        if ends_itself and valid_to is not None:
            ends.append((org, valid_to, successors))
        for fn in entry.get("functions", []):
            fwin = _clip(
                _date(fn.get("valid_from")), _date(fn.get("valid_to")), valid_from, valid_to
            )
            if fwin is None:
                continue
            if not OrganisationFunction.objects.filter(
                organisation=org,
                function=fn["function"],
                scope=scope,
                valid_from=fwin[0],
                valid_to=fwin[1],
            ).exists():
                function_assign(
                    actor=actor,
                    org=org,
                    function=fn["function"],
                    scope=scope,
                    valid_from=fwin[0],
                    valid_to=fwin[1],
                    legal_basis=fn.get("legal_basis", ""),
                )
                counts["functions"] = counts.get("functions", 0) + 1
    for org, last_day, succ_keys in ends:
        succ = [orgs[k] for k in succ_keys if k in orgs]
        have = set(org.successors.values_list("pk", flat=True))
        if org.valid_to != last_day or not {s.pk for s in succ} <= have:
            organisation_end(actor=actor, org=org, last_day=last_day, successors=succ)
    return counts


def _province_words(province: Organisation) -> dict[str, str]:
    short = province.short_name or province.name
    is_city = fold(province.name).startswith("thanh pho")
    return {
        "province": short,
        "unit": "thành phố" if is_city else "tỉnh",
        "party_committee": "Thành ủy" if is_city else "Tỉnh ủy",
    }


@transaction.atomic
def create_province_structure(
    province: Organisation, *, actor: Any = SYSTEM, on: dt.date | None = None
) -> Counts:
    """Create a province's usual organisations from ``data/province_structure.json``.

    Dates are clipped to the province's validity. With ``on``, only the organisations
    valid on that day are created (e.g. today's structure for a new province). The TTĐN
    focal function is assigned with its dates (``function_assign``), scoped to the
    province. Re-running creates nothing.
    """
    from . import resolver

    if province.kind != OrganisationKind.PROVINCE:
        raise ValueError(f"{province} is not a province")
    words = _province_words(province)

    def render(text: str) -> str:
        return text.format(**words)

    counts = _apply_template(
        entries=load_json("province_structure.json")["entries"],
        actor=actor,
        root=province,
        render=render,
        outer=(province.valid_from, province.valid_to),
        scope=province,
        on=on,
    )
    transaction.on_commit(resolver.clear_cache)
    resolver.clear_cache()
    return counts


@transaction.atomic
def load_national_agencies(*, actor: Any = SYSTEM) -> Counts:
    """Create the national agencies of ``data/national_agencies.json`` (idempotent)."""
    from . import resolver

    counts = _apply_template(
        entries=load_json("national_agencies.json")["entries"],
        actor=actor,
        root=None,
        render=lambda text: text,
        outer=(None, None),
        scope=None,
        on=None,
    )
    transaction.on_commit(resolver.clear_cache)
    resolver.clear_cache()
    return counts


# --- Countries ------------------------------------------------------------------------

COUNTRY_FIELDS = (
    "name_vi",
    "name_en",
    "national_day",
    "national_day_name",
    "relations_established",
)


def country_upsert(*, actor: Any, iso2: str, **fields: Any) -> tuple[Country, str]:
    """Create or update one country; returns it and "created"/"updated"/"unchanged".

    The audit row is written per change, inside the caller's transaction.
    """
    unknown = set(fields) - set(COUNTRY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown country fields: {sorted(unknown)}")
    iso2 = iso2.upper()
    country = Country.objects.filter(iso2=iso2).first()
    if country is None:
        country = Country.objects.create(iso2=iso2, **fields)
        audit_record(actor=actor, action="create", obj=country, after=snapshot(country))
        return country, "created"
    before = snapshot(country)
    for key, value in fields.items():
        setattr(country, key, value)
    after = snapshot(country)
    if before == after:
        return country, "unchanged"
    country.save()
    audit_record(actor=actor, action="update", obj=country, before=before, after=after)
    return country, "updated"


@transaction.atomic
def load_countries(*, actor: Any = SYSTEM) -> Counts:
    """Load ``data/countries.json`` (national days, diplomatic relations), idempotently."""
    counts = _counts()
    for row in load_json("countries.json")["countries"]:
        _country, outcome = country_upsert(
            actor=actor,
            iso2=row["iso2"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            national_day=_date(row.get("national_day")),
            national_day_name=row.get("national_day_name") or "",
            relations_established=_date(row.get("relations_established")),
        )
        counts[outcome] += 1
    if counts["created"] or counts["updated"]:
        audit_record(
            actor=actor,
            action="import",
            object_type="directory.country",
            object_repr="countries.json",
            changes=dict(counts),
        )
    return counts
