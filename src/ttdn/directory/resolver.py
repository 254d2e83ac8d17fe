"""Agency names as plans write them → organisations of the directory.

Plans name agencies the way offices write them: "Sở TT&TT", "Uỷ ban nhân dân huyện,
thành phố", "Đài Phát thanh - Truyền hình tỉnh Thái Nguyên", "Đề nghị Ban Tuyên giáo
Tỉnh ủy". ``resolve`` turns such a name into organisations, following the rules of the
genre rather than per-document fixes:

- **Normalise.** NFC, Markdown and punctuation noise, a trailing period, a leading
  "Đề nghị"/"Giao", tone placement and case (folding), abbreviations expanded from
  ``data/abbreviations.json`` (UBND, TT&TT, VHTTDL, PT-TH, TU = Tỉnh ủy, …).
- **Province qualifiers.** "tỉnh", "của tỉnh", "tỉnh Tuyên Quang", "trên địa bàn tỉnh"
  and the province's own name are dropped on both sides, so "Sở Ngoại vụ" in a Tuyên
  Quang plan is Tuyên Quang's. Candidates are ranked: the plan's province first, then the
  provinces it came from or became in 2025, then national agencies. A province named in
  the text ("Sở Ngoại vụ tỉnh Hà Giang") takes precedence over the plan's.
- **Dates.** Only organisations valid on ``on`` match first (a 2022 plan's "Sở Thông tin
  và Truyền thông" is the department that ended in 2025); if none is, organisations of
  any date match with lower confidence and the reason says so and names successors.
- **Collectives** ("Các sở, ban, ngành", "UBND các huyện, thành phố, thị xã", "Các cơ
  quan báo chí", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", "các thành
  viên Ban Chỉ đạo …") come from ``data/collectives.json`` and resolve to their members
  valid on the date.
- **Never guess.** Exact (folded) matches score ≥ 0.95; close spellings (difflib ratio
  over names with the same head word) score 0.5–0.85; anything else is ``unresolved``;
  two equally good candidates are ``ambiguous``.

Speed: the directory is read once into memory (a snapshot) and an index is built per
province, kept in an LRU cache. The index holds every organisation with its dates, so one
index serves every date (the date filter is applied per lookup). ``clear_cache()``
invalidates both; it runs on every save/delete of an organisation or alias (signals) and
after the bulk loaders of ``reference.py``, which bypass signals.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

from django.db.models.signals import m2m_changed, post_delete, post_save

from ttdn.core.text import normalize_tone, squash

from .models import Organisation, OrganisationAlias, OrganisationKind

Status = Literal["resolved", "ambiguous", "unresolved"]

EXACT_NAME = 0.98
EXACT_ALIAS = 0.96
EXACT_QUALIFIED = 0.95  # matched once the province qualifier was dropped
LINEAGE_PENALTY = 0.02  # matched in a predecessor/successor province
OTHER_DATE_FACTOR = 0.7  # matched only an organisation that did not exist on the date
FUZZY_CUTOFF = 0.82
TIE = 0.02


@dataclass(frozen=True)
class Match:
    organisation_id: int
    name: str
    confidence: float
    reason: str


@dataclass
class Resolution:
    name: str
    matches: list[Match] = field(default_factory=list)
    is_collective: bool = False
    status: Status = "unresolved"
    collective: str | None = None  # members kind of a collective ("departments", …)
    note: str = ""

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


# --- Normalisation --------------------------------------------------------------------

_MARKUP = re.compile(r"[*_#`>|]+")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_LEADING = re.compile(r"^(?:Đề nghị|đề nghị|ĐỀ NGHỊ|Giao|giao|GIAO|Yêu cầu|yêu cầu)\s+")
_TRAILING = re.compile(r"[\s.:;,]+$")
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_DROP_WORDS = {"va"}  # "Phát thanh và Truyền hình" = "Phát thanh - Truyền hình"


def clean(name: str) -> str:
    """The name for display: NFC, one tone placement, no markup, no leading verb."""
    text = squash(normalize_tone(unicodedata.normalize("NFC", name)))
    text = _MARKUP.sub(" ", text)
    text = _PARENS.sub(" ", text)
    text = squash(text)
    while True:
        stripped = _LEADING.sub("", text)
        if stripped == text:
            break
        text = stripped
    return _TRAILING.sub("", text).strip()


def _strip_marks(text: str) -> str:
    """No diacritics, đ→d, case kept (abbreviations are told apart by their capitals)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


@cache
def _abbreviations() -> tuple[list[tuple[re.Pattern[str], str]], list[tuple[re.Pattern[str], str]]]:
    from .reference import load_json

    sensitive: list[tuple[re.Pattern[str], str]] = []
    insensitive: list[tuple[re.Pattern[str], str]] = []
    entries = sorted(load_json("abbreviations.json")["entries"], key=lambda e: -len(e["abbr"]))
    for entry in entries:
        abbr = _strip_marks(entry["abbr"])
        expansion = " " + _strip_marks(entry["expansion"]).lower() + " "
        if entry.get("case_sensitive"):
            pattern = re.compile(rf"(?<![\w&]){re.escape(abbr)}(?![\w&])")
            sensitive.append((pattern, expansion))
        else:
            pattern = re.compile(rf"(?<![\w&]){re.escape(abbr.lower())}(?![\w&])")
            insensitive.append((pattern, expansion))
    return sensitive, insensitive


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """The matching key of a name: folded, abbreviations expanded, punctuation dropped."""
    sensitive, insensitive = _abbreviations()
    text = _strip_marks(clean(name))
    for pattern, expansion in sensitive:
        text = pattern.sub(expansion, text)
    text = text.lower()
    for pattern, expansion in insensitive:
        text = pattern.sub(expansion, text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(w for w in text.split() if w not in _DROP_WORDS)


@lru_cache(maxsize=512)
def _qualifier_pattern(unit: str, short: str) -> re.Pattern[str]:
    # "trên địa bàn tỉnh Tuyên Quang", "của tỉnh", "tỉnh" (not "tỉnh ủy"), "Tuyên Quang"
    lead = r"(?:tren dia ban |cua |thuoc |trong )?"
    name = re.escape(short)
    return re.compile(rf"\b{lead}(?:{unit} )?{name}\b|\b{lead}{unit}\b(?! uy)|\btren dia ban\b")


def strip_province(key: str, unit: str, short: str) -> str:
    """Drop the province qualifiers of one province from a key."""
    if not short:
        return key
    return _SPACES.sub(" ", _qualifier_pattern(unit, short).sub(" ", key)).strip()


# --- The directory in memory ----------------------------------------------------------


@dataclass(frozen=True)
class _Org:
    id: int
    name: str
    kind: str
    path: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    province_id: int | None
    successors: tuple[int, ...]
    predecessors: tuple[int, ...]

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass
class _Snapshot:
    orgs: dict[int, _Org]
    names: dict[int, list[tuple[str, bool]]]  # org → (name, is_alias)
    province_words: dict[int, tuple[str, str]]  # province → (unit word, folded short name)
    provinces_by_short: dict[str, list[int]]
    by_province: dict[int | None, list[int]]
    full_index: dict[str, list[tuple[int, bool]]]


_snapshot_cache: list[_Snapshot] = []


def _snapshot() -> _Snapshot:
    if _snapshot_cache:
        return _snapshot_cache[0]
    rows = list(
        Organisation.objects.values_list(
            "id", "name", "short_name", "kind", "path", "valid_from", "valid_to"
        )
    )
    kinds = {r[0]: r[3] for r in rows}
    succ: dict[int, list[int]] = defaultdict(list)
    pred: dict[int, list[int]] = defaultdict(list)
    through = Organisation.successors.through
    for a, b in through.objects.values_list("from_organisation_id", "to_organisation_id"):
        succ[a].append(b)
        pred[b].append(a)
    orgs: dict[int, _Org] = {}
    province_words: dict[int, tuple[str, str]] = {}
    provinces_by_short: dict[str, list[int]] = defaultdict(list)
    by_province: dict[int | None, list[int]] = defaultdict(list)
    names: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for pk, name, short, kind, path, vf, vt in rows:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        province_id = next(
            (i for i in reversed(ids) if kinds.get(i) == OrganisationKind.PROVINCE), None
        )
        if kind == OrganisationKind.PROVINCE:
            province_id = pk
            folded = name_key(name)
            unit = "thanh pho" if folded.startswith("thanh pho") else "tinh"
            short_key = name_key(short) if short else folded.removeprefix(unit).strip()
            province_words[pk] = (unit, short_key)
            provinces_by_short[short_key].append(pk)
        orgs[pk] = _Org(pk, name, kind, path, vf, vt, province_id, tuple(succ[pk]), tuple(pred[pk]))
        by_province[province_id].append(pk)
        names[pk].append((name, False))
    for org_id, alias in OrganisationAlias.objects.values_list("organisation_id", "name"):
        names[org_id].append((alias, True))
    full_index: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for org_id, org_names in names.items():
        for text, is_alias in org_names:
            key = name_key(text)
            if key:
                full_index[key].append((org_id, is_alias))
    snap = _Snapshot(
        orgs,
        dict(names),
        province_words,
        dict(provinces_by_short),
        dict(by_province),
        dict(full_index),
    )
    _snapshot_cache.append(snap)
    return snap


@dataclass(frozen=True)
class _Cand:
    org_id: int
    rank: int  # 0 the province, 1 its namesake predecessor/successor, 2 other lineage,
    # 3 national, 4 elsewhere
    confidence: float
    via: str


_Index = dict[str, list[_Cand]]


def _lineage(snap: _Snapshot, province_id: int) -> dict[int, int]:
    """Province → rank: itself 0, predecessors/successors with its name 1, others 2."""
    me = snap.orgs[province_id]
    short = snap.province_words[province_id][1]
    ranks = {province_id: 0}
    for other in (*me.successors, *me.predecessors):
        if other in snap.province_words:
            ranks[other] = 1 if snap.province_words[other][1] == short else 2
    return ranks


@lru_cache(maxsize=128)
def _province_index(province_id: int | None) -> _Index:
    """Keys → candidates for names read in a plan of ``province_id`` (None: national)."""
    snap = _snapshot()
    index: _Index = defaultdict(list)
    if province_id is None:
        for key, hits in snap.full_index.items():
            for org_id, is_alias in hits:
                rank = 3 if snap.orgs[org_id].province_id is None else 4
                conf = EXACT_ALIAS if is_alias else EXACT_NAME
                index[key].append(_Cand(org_id, rank, conf, "alias" if is_alias else "name"))
        return dict(index)
    ranks = _lineage(snap, province_id)
    for pid, rank in (*ranks.items(), (None, 3)):
        words = snap.province_words.get(pid) if pid is not None else None
        for org_id in snap.by_province.get(pid, []):
            for text, is_alias in snap.names.get(org_id, []):
                full = name_key(text)
                if not full:
                    continue
                conf = EXACT_ALIAS if is_alias else EXACT_NAME
                if rank in (1, 2):
                    conf -= LINEAGE_PENALTY
                via = "alias" if is_alias else "name"
                index[full].append(_Cand(org_id, rank, conf, via))
                if words is not None:
                    bare = strip_province(full, *words)
                    if bare and bare != full:
                        index[bare].append(
                            _Cand(
                                org_id,
                                rank,
                                min(conf, EXACT_QUALIFIED),
                                f"{via} without the province qualifier",
                            )
                        )
    return dict(index)


def clear_cache(*_args: Any, **_kwargs: Any) -> None:
    """Forget the in-memory directory (call after writes that bypass model signals)."""
    _snapshot_cache.clear()
    _province_index.cache_clear()


for _model in (Organisation, OrganisationAlias):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"resolver-save-{_model.__name__}")
    post_delete.connect(
        clear_cache, sender=_model, dispatch_uid=f"resolver-delete-{_model.__name__}"
    )
m2m_changed.connect(
    clear_cache, sender=Organisation.successors.through, dispatch_uid="resolver-successors"
)


# --- Collectives ----------------------------------------------------------------------


@cache
def _collective_rules() -> list[tuple[re.Pattern[str], str]]:
    from .reference import load_json

    data = load_json("collectives.json")
    tail = data["tail"]
    rules = []
    for rule in data["rules"]:
        end = rf"{tail}$" if rule.get("full") else r"\b"
        rules.append((re.compile(rf"^(?:{rule['pattern']}){end}"), rule["members"]))
    return rules


def _collective_kind(key: str) -> str | None:
    for pattern, members in _collective_rules():
        if pattern.search(key):
            return members
    return None


_MEMBER_KINDS = {
    "departments": (OrganisationKind.DEPARTMENT,),
    "districts": (OrganisationKind.DISTRICT,),
    "communes": (OrganisationKind.COMMUNE,),
    "press": (OrganisationKind.PRESS,),
    "provinces": (OrganisationKind.PROVINCE,),
}
_STEERING_KEY = "ban chi dao cong tac thong tin doi ngoai"


def _members(
    snap: _Snapshot, province_id: int | None, kinds: Iterable[str], day: dt.date
) -> list[_Org]:
    wanted = set(kinds)
    return sorted(
        (
            o
            for o in (snap.orgs[i] for i in snap.by_province.get(province_id, []))
            if o.kind in wanted and o.valid_on(day) and o.id != province_id
        ),
        key=lambda o: o.path,
    )


def _resolve_collective(
    res: Resolution, members: str, key: str, province_id: int | None, day: dt.date
) -> Resolution:
    snap = _snapshot()
    res.is_collective, res.collective, res.status = True, members, "resolved"
    found: list[_Org] = []
    why = f"collective: {members} valid on {day.isoformat()}"
    if members == "provinces":
        found = sorted(
            (
                o
                for o in snap.orgs.values()
                if o.kind == OrganisationKind.PROVINCE and o.valid_on(day)
            ),
            key=lambda o: o.name,
        )
        why = f"collective: all provinces valid on {day.isoformat()}"
    elif members == "steering_committee":
        org = _steering_committee(key, province_id, day)
        found = [org] if org else []
        why = "collective: the members of this steering committee"
    elif province_id is None:
        if members == "press":
            found = _members(snap, None, _MEMBER_KINDS["press"], day)
            why = "collective: national press organs (no province given)"
        else:
            res.note = "A collective of a province, but no province was given."
    else:
        found = _members(snap, province_id, _MEMBER_KINDS[members], day)
        if members == "districts" and not found:
            # the district level ended on 30 June 2025: its duties went to the communes
            communes = _members(snap, province_id, _MEMBER_KINDS["communes"], day)
            if communes:
                found, why = communes, "collective: communes (districts no longer exist)"
        if members == "press" and "trung uong" in key:
            found += _members(snap, None, _MEMBER_KINDS["press"], day)
            why += ", with the national press organs"
        if not found:
            res.note = f"No {members} of this province are recorded for {day.isoformat()}."
    res.matches = [Match(o.id, o.name, 0.95, why) for o in found]
    return res


def _steering_committee(key: str, province_id: int | None, day: dt.date) -> _Org | None:
    rest = re.sub(r"^(?:cac )?thanh vien ", "", key)
    index = _province_index(province_id)
    snap = _snapshot()
    for probe in (rest, _STEERING_KEY):
        best: _Cand | None = None
        # the longest key that starts the text: headings go on with the duty
        # ("… Ban Chỉ đạo công tác thông tin đối ngoại quan tâm chỉ đạo, …")
        for k in sorted(index, key=len, reverse=True):
            if probe == k or probe.startswith(k + " "):
                valid = [
                    c
                    for c in index[k]
                    if snap.orgs[c.org_id].valid_on(day) and k.startswith("ban chi dao")
                ]
                if valid:
                    best = min(valid, key=lambda c: (c.rank, -c.confidence))
                    break
        if best is not None:
            return snap.orgs[best.org_id]
    return None


# --- Resolution -----------------------------------------------------------------------


def _mentioned_province(key: str, day: dt.date) -> int | None:
    """A province the name itself names ("… tỉnh Thái Nguyên"), as valid on ``day``."""
    snap = _snapshot()
    for short, ids in sorted(snap.provinces_by_short.items(), key=lambda kv: -len(kv[0])):
        if not short:
            continue
        for unit in {snap.province_words[i][0] for i in ids}:
            if re.search(rf"\b{unit} {re.escape(short)}\b", key):
                valid = [i for i in ids if snap.orgs[i].valid_on(day)]
                return (valid or ids)[0]
    return None


def _describe(org: _Org) -> str:
    start = org.valid_from.isoformat() if org.valid_from else "…"
    end = org.valid_to.isoformat() if org.valid_to else "…"
    return f"{org.name} ({start} – {end})"


def _pick(cands: list[_Cand]) -> list[_Cand]:
    """The best rank, then the best confidence; one candidate per organisation."""
    best_rank = min(c.rank for c in cands)
    top = [c for c in cands if c.rank == best_rank]
    best_conf = max(c.confidence for c in top)
    seen: dict[int, _Cand] = {}
    for c in sorted(top, key=lambda c: -c.confidence):
        if c.confidence >= best_conf - 1e-9 and c.org_id not in seen:
            seen[c.org_id] = c
    return list(seen.values())


def _finish(res: Resolution, picked: list[tuple[_Cand, float, str]]) -> Resolution:
    snap = _snapshot()
    res.matches = [
        Match(c.org_id, snap.orgs[c.org_id].name, round(conf, 3), reason)
        for c, conf, reason in picked
    ]
    res.status = "resolved" if len(res.matches) == 1 else "ambiguous"
    return res


def resolve(
    name: str,
    *,
    province: Organisation | None = None,
    on: dt.date | None = None,
    context_issuer: Organisation | None = None,
) -> Resolution:
    """Resolve one agency name as written in a plan (see the module docstring).

    ``province``: the plan's province (its subtree is searched first). ``context_issuer``:
    the issuing organisation; its province is used when ``province`` is not given.
    ``on``: the plan's date (today by default).
    """
    day = on or dt.date.today()
    res = Resolution(name=name)
    key = name_key(name)
    if not key:
        res.note = "Empty name."
        return res
    if province is None and context_issuer is not None:
        province = context_issuer.province()
    snap = _snapshot()
    province_id = province.pk if province is not None and province.pk in snap.orgs else None
    mentioned = _mentioned_province(key, day)
    if mentioned is not None and (
        province_id is None or mentioned not in _lineage(snap, province_id)
    ):
        province_id = mentioned

    members = _collective_kind(key)
    if members is not None:
        return _resolve_collective(res, members, key, province_id, day)

    standing = key.startswith("thuong truc ")
    if standing:  # "Thường trực Ban Chỉ đạo …": the standing members act for the body
        key = key.removeprefix("thuong truc ")
        res.note = "Resolved to the body whose standing members are named."

    index = _province_index(province_id)
    probes = [key]
    if province_id is not None:
        probes.append(strip_province(key, *snap.province_words[province_id]))
    cands = [c for p in dict.fromkeys(probes) if p for c in index.get(p, [])]
    if cands:
        valid = [c for c in cands if snap.orgs[c.org_id].valid_on(day)]
        if valid:
            return _finish(
                res, [(c, c.confidence, f"exact match on {c.via}") for c in _pick(valid)]
            )
        picked = []
        for c in _pick(cands):
            org = snap.orgs[c.org_id]
            successors = [snap.orgs[s] for s in org.successors if s in snap.orgs]
            reason = (
                f"no organisation of this name existed on {day.isoformat()}; "
                f"matched {_describe(org)}"
            )
            if successors:
                reason += "; succeeded by " + ", ".join(_describe(s) for s in successors)
            picked.append((c, c.confidence * OTHER_DATE_FACTOR, reason))
        return _finish(res, picked)
    return _fuzzy(res, probes, index, day)


def _fuzzy(res: Resolution, probes: list[str], index: _Index, day: dt.date) -> Resolution:
    """Close spellings among names with the same head word ("Sở", "Ban", "Báo", …)."""
    snap = _snapshot()
    scored: dict[int, tuple[float, _Cand, str]] = {}
    for probe in dict.fromkeys(p for p in probes if p):
        head = probe.split()[0]
        keys = [k for k in index if k.split()[0] == head]
        for k in difflib.get_close_matches(probe, keys, n=8, cutoff=FUZZY_CUTOFF):
            ratio = difflib.SequenceMatcher(None, probe, k).ratio()
            for c in index[k]:
                org = snap.orgs[c.org_id]
                # rank first (the plan's province), then closeness, then validity
                score = ratio - 0.05 * min(c.rank, 3) - (0 if org.valid_on(day) else 0.1)
                if c.org_id not in scored or score > scored[c.org_id][0]:
                    scored[c.org_id] = (score, c, k)
    if not scored:
        res.note = "No organisation with a close enough name."
        return res
    ranked = sorted(scored.values(), key=lambda t: -t[0])
    top = ranked[0][0]
    picked = []
    for score, c, k in ranked:
        if score < top - TIE:
            break
        ratio = difflib.SequenceMatcher(None, max(probes, key=len), k).ratio()
        conf = min(0.85, 0.5 + (max(ratio, score) - FUZZY_CUTOFF) * 2)
        org = snap.orgs[c.org_id]
        reason = f"close spelling of “{org.name}” (similarity {ratio:.2f})"
        if not org.valid_on(day):
            reason += f"; not valid on {day.isoformat()}: {_describe(org)}"
        picked.append((c, max(conf, 0.5), reason))
    return _finish(res, picked)


def resolve_many(names: Iterable[str], **kwargs: Any) -> list[Resolution]:
    """Resolve several names with the same province and date (one shared index)."""
    return [resolve(n, **kwargs) for n in names]
