"""Find the Vietnamese provinces a text names, by their current (post-2025) names.

The gazetteer is built once per process from two sources:

- the installed ``vietnamadminunits`` package: the 63 former and 34 current provinces,
  the 2025 mapping between them, the former districts and the former and current
  communes (read the way ``ttdn.directory.reference`` reads them);
- ``data/places.json``: spellings the package lacks (Hanoi, Saigon, TP.HCM, Hanoï …),
  Chinese names, landmarks and cities that lie in one province, and the context rules
  that keep names which are not places out (a diocese, the rig ``Hải Dương-981``, the
  capital used for the government, a company's name, a person called Huế).

How a name counts:

- a province name, alias or landmark counts on its own when it is capitalised (or the
  text is in capitals) and written either with exactly the name's diacritics or without
  any (so "Ha Giang" counts, "Vinh" never matches "Vĩnh");
- a district or commune name counts only after its prefix (``huyện``, ``xã``,
  ``phường``, ``TP.``, ``thị xã`` …) or before an English suffix ("Dien Chau district"),
  and only when the name designates units of a single current province; a prefixed
  name that is ambiguous blocks the words it covers from counting as a province
  ("phường Hòa Bình" is not the province Hòa Bình);
- Chinese names that are also Chinese places or words (河南, 太平, 和平 …) need a
  province suffix (省/市) or ``越南`` right before them.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .lexicon import Trie
from .results import Mention
from .text import Doc, fold, is_plain, word_capitals, written

_PREFIX_GAP = re.compile(r"[ \t\u00a0]*\.?[ \t\u00a0]*\n?[ \t\u00a0]*")
_DIGITS_AFTER = re.compile(r"[ \t]*[-–]?[ \t]*(\d{1,4})(?!\d)")
_TAG_AFTER = re.compile(r"[ \t]*[-–—]")
_YEAR = re.compile(r"(19|20)\d\d")

PREFIX_LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    # folded prefix → (level, written forms); ASCII forms count only in texts without
    # diacritics (in Vietnamese "xa" is "far", "quan" an official).
    "tinh": ("province", ("tỉnh",)),
    "thanh pho": ("city", ("thành phố",)),
    "tp": ("city", ("tp",)),
    "thi xa": ("district", ("thị xã",)),
    "tx": ("district", ("tx",)),
    "huyen": ("district", ("huyện",)),
    "huyen dao": ("district", ("huyện đảo",)),
    "quan": ("district", ("quận",)),
    "xa": ("commune", ("xã",)),
    "phuong": ("commune", ("phường",)),
    "thi tran": ("commune", ("thị trấn",)),
    "dac khu": ("commune", ("đặc khu",)),
}
# English suffixes after a district/commune name ("Dien Chau district").
SUFFIX_LEVELS: dict[str, str] = {
    "district": "district",
    "city": "district",
    "town": "any",
    "township": "any",
    "commune": "commune",
    "ward": "commune",
}
_CASED_PREFIXES = {"tp", "tx"}  # abbreviations: must be written in capitals ("TP", "Tp")


@dataclass(frozen=True)
class _Entry:
    province: str | None  # current province; None for an exclusion
    forms: frozenset[str]  # written forms (see text.written)
    exact: str | None = None  # case-sensitive abbreviation ("HCM", "TPHCM")
    context: tuple[frozenset[str], frozenset[str]] | None = None  # (prefixes, suffixes)
    common_word: bool = False
    metonym: str | None = None  # key into the metonym rules
    capitals: tuple[bool, ...] = ()  # which words of the name are capitalised


@dataclass(frozen=True)
class _Unit:
    provinces: frozenset[str]
    forms: frozenset[str]


@dataclass
class Gazetteer:
    current: list[str]
    to_current: dict[str, str]
    entries: dict[str, list[_Entry]]
    trie: Trie
    lower_first: frozenset[str]  # first words of names that start in lower case
    max_n: int
    districts: dict[str, _Unit]
    communes: dict[str, _Unit]
    unit_first: frozenset[str]
    unit_max_n: int
    prefixes: dict[str, tuple[str, tuple[str, ...]]]
    prefix_first: frozenset[str]
    not_before: dict[str, frozenset[str]]  # folded → written forms
    person_before: frozenset[str]  # written forms
    company_before: frozenset[str]
    company_after: frozenset[str]
    metonyms: dict[str, dict[str, Any]]
    tags: dict[str, str]
    tag_keys: frozenset[str]
    zh: dict[str, tuple[str, str]]
    zh_lengths: dict[str, tuple[int, ...]]  # name lengths by first character, longest first
    zh_not_before: str


def _data_file(name: str) -> Path:
    return Path(str(resources.files("ttdn.monitoring") / "data" / name))


def _package_file(name: str) -> Path:
    """A data file of the installed ``vietnamadminunits`` package, found without importing
    the package (its ``__init__`` loads parsers we do not use: a second of start-up)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name


@cache
def _places_data() -> dict[str, Any]:
    with _data_file("places.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _admin_units() -> tuple[dict[str, str], list[str], list[tuple[str, str, str]]]:
    """(former or current province → current, current names, (level, name, province) units)
    from the installed package."""
    db = sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True)
    try:
        old = dict(db.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units_legacy"))
        new = dict(db.execute("SELECT DISTINCT provinceKey, provinceShort FROM admin_units"))
        districts = list(
            db.execute("SELECT DISTINCT districtShort, provinceKey FROM admin_units_legacy")
        )
        old_wards = list(
            db.execute("SELECT DISTINCT wardShort, provinceKey FROM admin_units_legacy")
        )
        new_wards = list(db.execute("SELECT DISTINCT wardShort, provinceKey FROM admin_units"))
    finally:
        db.close()
    with _package_file("converter_2025.json").open(encoding="utf-8") as fh:
        mapping: dict[str, list[str]] = json.load(fh)["DICT_PROVINCE"]
    old_to_new_key = {o: n for n, olds in mapping.items() for o in olds}
    to_current = {name: new[old_to_new_key[key]] for key, name in old.items()}
    to_current.update({name: name for name in new.values()})
    units: list[tuple[str, str, str]] = []
    for name, key in districts:
        units.append(("district", name, new[old_to_new_key[key]]))
    for name, key in old_wards:
        units.append(("commune", name, new[old_to_new_key[key]]))
    for name, key in new_wards:
        units.append(("commune", name, new[key]))
    current = sorted(set(new.values()))
    return to_current, current, units


def _unit_table(units: Iterable[tuple[str, str]]) -> dict[str, _Unit]:
    provinces: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, set[str]] = defaultdict(set)
    for name, province in units:
        if not name or name.strip().isdigit():
            continue
        key = fold(name)
        provinces[key].add(province)
        forms[key].add(written(name))
    return {k: _Unit(frozenset(provinces[k]), frozenset(forms[k])) for k in provinces}


def _folded_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(v) for v in values if v)


@cache
def gazetteer() -> Gazetteer:
    """The place gazetteer, built once per process."""
    data = _places_data()
    to_current, current, units = _admin_units()
    for alias, target in data.get("former_groupings", {}).items():
        if not alias.startswith("_"):
            to_current[alias] = to_current[target]

    def resolve(name: str) -> str:
        if name in to_current:
            return to_current[name]
        raise KeyError(f"places.json names an unknown province: {name!r}")

    entries: dict[str, list[_Entry]] = defaultdict(list)
    context_rules = {
        fold(k): (_folded_set(v.get("prefix", [])), _folded_set(v.get("suffix", [])))
        for k, v in data.get("context_required", {}).items()
        if not k.startswith("_")
    }
    common = {fold(n) for n in data.get("common_words", {}).get("names", [])}
    metonyms = {k: v for k, v in data.get("metonyms", {}).items() if not k.startswith("_")}
    metonym_provinces = {resolve(k): k for k in metonyms}

    def add(name: str, province: str | None) -> None:
        exact = None
        if name.startswith("="):
            name = name[1:]
            exact = name
        key = fold(name)
        if not key:
            return
        entries[key].append(
            _Entry(
                province=province,
                forms=frozenset({written(name)}),
                exact=exact,
                context=context_rules.get(key),
                common_word=key in common,
                metonym=metonym_provinces.get(province) if province else None,
                capitals=word_capitals(name),
            )
        )

    for name in to_current:
        add(name, to_current[name])
    for name, aliases in data.get("aliases", {}).items():
        if name.startswith("_"):
            continue
        for alias in aliases:
            add(alias, resolve(name))
    for name, landmarks in data.get("landmarks", {}).items():
        if name.startswith("_"):
            continue
        for landmark in landmarks:
            add(landmark, resolve(name))
    for name in data.get("exclusions", []):
        add(name, None)

    districts = _unit_table((n, p) for level, n, p in units if level == "district")
    communes = _unit_table((n, p) for level, n, p in units if level == "commune")
    unit_keys = set(districts) | set(communes)

    not_before: dict[str, set[str]] = defaultdict(set)
    for w in data.get("not_place_before", {}).get("words", []):
        not_before[fold(w)].add(written(w))

    zh: dict[str, tuple[str, str]] = {}
    for simplified, traditional, province, flag in data.get("zh", {}).get("names", []):
        for form in (simplified, traditional):
            if form:
                zh[form] = (resolve(province), flag)
    markers = data.get("company_markers", {})
    trie = Trie()
    for key, values in entries.items():
        trie.add(key, values)
    tags = {k: resolve(v) for k, v in data.get("tags", {}).items() if not k.startswith("_")}
    return Gazetteer(
        current=current,
        to_current=to_current,
        entries=dict(entries),
        trie=trie,
        lower_first=frozenset(
            k.split(" ")[0]
            for k, es in entries.items()
            if any(not e.capitals[:1] or not e.capitals[0] for e in es)
        ),
        max_n=max(len(k.split()) for k in entries),
        districts=districts,
        communes=communes,
        unit_first=frozenset(k.split()[0] for k in unit_keys),
        unit_max_n=max(len(k.split()) for k in unit_keys),
        prefixes=PREFIX_LEVELS,
        prefix_first=frozenset(k.split()[0] for k in PREFIX_LEVELS),
        not_before={k: frozenset(v) for k, v in not_before.items()},
        person_before=frozenset(written(w) for w in data.get("person_name_before", [])),
        company_before=_folded_set(markers.get("before", [])),
        company_after=_folded_set(markers.get("after", [])),
        metonyms={
            resolve(k): {
                "before": _folded_set(v.get("before", [])),
                "after": _folded_set(v.get("after", [])),
                "possessive_after": _folded_set(v.get("possessive_after", [])),
                "paired_with": _folded_set(v.get("paired_with", [])),
                "zh_after": tuple(v.get("zh_after", [])),
            }
            for k, v in metonyms.items()
        },
        tags=tags,
        tag_keys=frozenset(fold(k) for k in tags),
        zh=zh,
        zh_lengths={
            c: tuple(sorted({len(k) for k in zh if k[0] == c}, reverse=True))
            for c in {k[0] for k in zh}
        },
        zh_not_before=data.get("zh_not_before", {}).get("chars", ""),
    )


def current_provinces() -> list[str]:
    """The 34 current province-level units."""
    return list(gazetteer().current)


def to_current(name: str) -> str | None:
    """A province name (former or current, any spelling) → its current name, or None."""
    g = gazetteer()
    if name in g.to_current:
        return g.to_current[name]
    for entry in g.entries.get(fold(name), ()):
        if entry.province:
            return entry.province
    return None


# --- matching ---------------------------------------------------------------------


@dataclass
class _Found:
    province: str
    start: int  # token index
    end: int
    strong: bool = True
    char_span: tuple[int, int] | None = None  # CJK matches: character offsets


class _Matcher:
    """Scan one field's tokens for places."""

    def __init__(self, doc: Doc, g: Gazetteer) -> None:
        self.doc = doc
        self.g = g
        # a text written without diacritics: "xa", "huyen" are prefixes there
        self.plain_doc = doc.plain

    def _name_case_ok(self, i: int, j: int, capitals: tuple[bool, ...] = ()) -> bool:
        """Capitalised like the name (or all in capitals): "Hòa Bình", not "hòa bình"."""
        doc = self.doc
        if all(doc.all_caps(t) or not doc.toks[t].isalpha() for t in range(i, j)):
            return True
        if len(capitals) != j - i:
            capitals = (True,) * (j - i)
        return all(
            doc.capitalised(t) or doc.toks[t].isdigit() or not cap
            for t, cap in zip(range(i, j), capitals, strict=True)
        )

    def _before(self, i: int, words: dict[str, frozenset[str]] | frozenset[str]) -> bool:
        """Whether the 1-3 words right before token i are in ``words`` (written or plain)."""
        doc = self.doc
        for n in (3, 2, 1):
            s = i - n
            if s < 0 or not all(doc.joinable[t] for t in range(s, i)):
                continue
            key = " ".join(doc.toks[s:i])
            if key in words:
                if isinstance(words, frozenset):
                    return True
                surface = doc.surface(s, i)
                if written(surface) in words[key] or is_plain(surface):
                    return True
        return False

    def _prefix_at(self, i: int) -> tuple[int, str, str] | None:
        """(end token, level, folded prefix) when a prefix starts at token i."""
        doc = self.doc
        toks = doc.toks
        for n in (2, 1):
            j = i + n
            if j > len(toks) or (n == 2 and not doc.joinable[i]):
                continue
            key = " ".join(toks[i:j])
            spec = self.g.prefixes.get(key)
            if not spec:
                continue
            surface = doc.surface(i, j)
            if key in _CASED_PREFIXES:
                if surface[0].isupper():
                    return j, spec[0], key
                continue
            w = written(surface)
            if w in spec[1] or (self.plain_doc and is_plain(surface)):
                return j, spec[0], key
        return None

    def _name_run(self, j: int) -> int:
        """End of the capitalised name run starting at token j (at most 6 tokens)."""
        doc = self.doc
        k = j
        while k < len(doc.toks) and k - j < 6:
            if not (doc.capitalised(k) or doc.toks[k].isdigit()):
                break
            k += 1
            if not doc.joinable[k - 1]:
                break
        return k

    def _unit(self, level: str, i: int, j: int) -> str | bool | None:
        """Province of the unit named by tokens i..j (None: unknown, False: ambiguous)."""
        key = " ".join(self.doc.toks[i:j])
        tables = {
            "district": (self.g.districts,),
            "city": (self.g.districts,),
            "commune": (self.g.communes,),
            "any": (self.g.districts, self.g.communes),
        }[level]
        provinces: set[str] = set()
        found = False
        surface = self.doc.surface(i, j)
        w = written(surface)
        for table in tables:
            unit = table.get(key)
            if unit and (w in unit.forms or is_plain(surface)):
                provinces |= unit.provinces
                found = True
        if not found:
            return None
        return next(iter(provinces)) if len(provinces) == 1 else False

    def _entry_ok(self, e: _Entry, i: int, j: int, prefixed: str | None) -> bool:
        doc = self.doc
        surface = doc.surface(i, j)
        if e.exact is not None:
            if written(surface) != written(e.exact) or surface.replace("-", " ") != e.exact.replace(
                "-", " "
            ):
                return False
        else:
            if not self._name_case_ok(i, j, e.capitals):
                return False
            if written(surface) not in e.forms and not is_plain(surface):
                return False
        if e.context is not None and prefixed is None:
            prefixes, suffixes = e.context
            if not (self._before(i, prefixes) or self._suffix(j, suffixes)):
                return False
        return not (
            e.common_word and prefixed is None and all(doc.all_caps(t) for t in range(i, j))
        )

    def _suffix(self, j: int, words: frozenset[str]) -> bool:
        doc = self.doc
        if j >= len(doc.toks):
            return False
        gap = doc.nfc[doc.ends[j - 1] : doc.starts[j]]
        if not re.fullmatch(r"[ \t]*[-–]?[ \t]*\(?", gap):
            return False
        return doc.toks[j] in words

    def _not_a_place(self, i: int, j: int) -> bool:
        """Context that makes the name part of something else (diocese, rig, person)."""
        doc = self.doc
        if i > 0 and self._before(i, self.g.not_before):
            return True
        if i > 0 and doc.joinable[i - 1] and doc.capitalised(i - 1) and not doc.all_caps(i - 1):
            prev = doc.nfc[doc.starts[i - 1] : doc.ends[i - 1]]
            if written(prev) in self.g.person_before and not self._sentence_start(i - 1):
                return True
        m = _DIGITS_AFTER.match(doc.nfc, doc.ends[j - 1])
        if m and not (len(m.group(1)) == 4 and _YEAR.fullmatch(m.group(1))):
            end = m.end()
            hyphen = "-" in m.group(0) or "–" in m.group(0)
            if (hyphen or len(m.group(1)) >= 3) and (
                end >= len(doc.nfc) or not doc.nfc[end].isalnum()
            ):
                return True  # "Hải Dương-981", "Hải Dương 981": a vessel or a rig
        return False

    def _sentence_start(self, i: int) -> bool:
        doc = self.doc
        before = doc.nfc[: doc.starts[i]].rstrip()
        return not before or before[-1] in ".!?:;\"“”'(-–—\n"

    def _company(self, i: int, j: int) -> bool:
        doc = self.doc
        # tokens of the capitalised run before the name, and one word before that
        s = i
        while s > 0 and doc.joinable[s - 1] and doc.capitalised(s - 1) and i - s < 6:
            s -= 1
        s = max(0, s - 1) if s > 0 and doc.joinable[s - 1] else s
        window = doc.toks[s:i]
        for n in (1, 2):
            for t in range(len(window) - n + 1):
                if " ".join(window[t : t + n]) in self.g.company_before:
                    return True
        for n in (2, 1):
            if (
                j + n <= len(doc.toks)
                and all(doc.joinable[t] for t in range(j - 1, j + n - 1))
                and " ".join(doc.toks[j : j + n]) in self.g.company_after
            ):
                return True
        return False

    def _metonym(self, rules: dict[str, Any], i: int, j: int) -> bool:
        doc = self.doc
        toks = doc.toks
        if i > 0 and self._before(i, rules["before"]):
            return True
        if j < len(toks):
            gap = doc.nfc[doc.ends[j - 1] : doc.starts[j]]
            nxt = toks[j]
            if gap.strip() == "" and (
                nxt in rules["after"]
                or (j + 1 < len(toks) and f"{nxt} {toks[j + 1]}" in rules["after"])
            ):
                return True
            possessive = gap in {"'", "’"} and nxt == "s" and j + 1 < len(toks)
            if possessive and toks[j + 1] in rules["possessive_after"]:
                return True
            # "Hanoi and Beijing", "Hanoi-Beijing"
            paired = nxt in {"and", "va", "et"} and j + 1 < len(toks)
            if paired and self._starts_with(j + 1, rules["paired_with"]):
                return True
            if gap.strip() in {"-", "–", "/"} and self._starts_with(j, rules["paired_with"]):
                return True
        if (
            i >= 2
            and toks[i - 1] in {"and", "va", "et"}
            and self._ends_with(i - 1, rules["paired_with"])
        ):
            return True
        dash_before = i >= 1 and doc.nfc[doc.ends[i - 1] : doc.starts[i]].strip() in {"-", "–", "/"}
        return dash_before and self._ends_with(i, rules["paired_with"])
        return False

    def _starts_with(self, j: int, words: frozenset[str]) -> bool:
        toks = self.doc.toks
        return any(" ".join(toks[j : j + n]) in words for n in (1, 2, 3))

    def _ends_with(self, i: int, words: frozenset[str]) -> bool:
        toks = self.doc.toks
        return any(i - n >= 0 and " ".join(toks[i - n : i]) in words for n in (1, 2, 3))

    def _tag(self, i: int) -> str | None:
        doc = self.doc
        word = doc.nfc[doc.starts[i] : doc.ends[i]]
        province = self.g.tags.get(word)
        if province and _TAG_AFTER.match(doc.nfc, doc.ends[i]):
            return province
        return None

    def _suffix_units(self) -> dict[int, tuple[int, str]]:
        """English "<Name> district/commune/city": start word → (end, province)."""
        doc = self.doc
        out: dict[int, tuple[int, str]] = {}
        for t in [t for t, tok in enumerate(doc.toks) if tok in SUFFIX_LEVELS]:
            if t == 0 or not doc.joinable[t - 1] or not doc.capitalised(t - 1):
                continue
            level = SUFFIX_LEVELS[doc.toks[t]]
            for n in range(min(5, t), 0, -1):
                s = t - n
                if not all(doc.joinable[x] and doc.capitalised(x) for x in range(s, t)):
                    continue
                province = self._unit(level, s, t)
                if isinstance(province, str):
                    out[s] = (t, province)
                    break
                if province is False:
                    break
        return out

    def scan(self) -> list[_Found]:
        doc = self.doc
        g = self.g
        toks = doc.toks
        found: list[_Found] = []
        forced = self._suffix_units() if not SUFFIX_LEVELS.keys().isdisjoint(toks) else {}
        nfc, starts = doc.nfc, doc.starts
        root, lower_first = g.trie.root, g.lower_first
        i = 0
        n = len(toks)
        while i < n:
            tok = toks[i]
            if forced and i in forced:
                end, province = forced[i]
                found.append(_Found(province, i, end))
                i = end
                continue
            tag = self._tag(i) if tok in g.tag_keys else None
            if tag:
                found.append(_Found(tag, i, i + 1))
                i += 1
                continue
            if tok in g.prefix_first:
                p = self._prefix_at(i)
                if p is not None:
                    j, level, _key = p
                    gap_ok = j < n and _PREFIX_GAP.fullmatch(
                        doc.nfc, doc.ends[j - 1], doc.starts[j]
                    )
                    if gap_ok and (doc.capitalised(j) or doc.toks[j].isdigit()):
                        i = self._prefixed(found, level, j)
                        continue
            if tok in root and (nfc[starts[i]].isupper() or tok in lower_first):
                k = self._bare(found, i)
                if k > i:
                    i = k
                    continue
            i += 1
        return found

    def _prefixed(self, found: list[_Found], level: str, j: int) -> int:
        """Handle the name after a prefix; returns the next token to scan."""
        doc = self.doc
        run_end = self._name_run(j)
        if level in {"district", "city", "commune"}:
            for k in range(run_end, j, -1):
                province = self._unit(level, j, k)
                if isinstance(province, str):
                    found.append(_Found(province, j, k))
                    return k
                if province is False:
                    return k  # ambiguous unit: its words are not a province either
        if level in {"province", "city"}:
            for k in range(min(run_end, j + self.g.max_n), j, -1):
                key = " ".join(doc.toks[j:k])
                for e in self.g.entries.get(key, ()):
                    if self._entry_ok(e, j, k, prefixed=level):
                        if e.province:
                            found.append(_Found(e.province, j, k))
                        return k
        return j  # not a known unit ("Tỉnh Đoàn Quảng Ninh"): read on from the name

    def _bare(self, found: list[_Found], i: int) -> int:
        doc = self.doc
        g = self.g
        for k, values in reversed(g.trie.walk(doc.toks, doc.joinable, i)):
            for e in values[0]:
                if not self._entry_ok(e, i, k, prefixed=None):
                    continue
                if e.province is None:
                    return k  # an exclusion ("Thái Bình Dương")
                if self._not_a_place(i, k):
                    return k
                if e.metonym and self._metonym(g.metonyms[e.province], i, k):
                    return k
                strong = not self._company(i, k)
                found.append(_Found(e.province, i, k, strong=strong))
                return k
        return i

    def scan_cjk(self) -> list[_Found]:
        g = self.g
        text = self.doc.nfc
        out: list[_Found] = []
        i = 0
        n = len(text)
        while i < n:
            lengths = g.zh_lengths.get(text[i])
            if lengths is None:
                i += 1
                continue
            hit = None
            for length in lengths:
                piece = text[i : i + length]
                if len(piece) == length and piece in g.zh:
                    hit = piece
                    break
            if hit is None:
                i += 1
                continue
            province, flag = g.zh[hit]
            end = i + len(hit)
            prev = text[i - 1] if i else ""
            after = text[end : end + 1]
            after_vn = text[max(0, i - 2) : i] == "越南" or text[max(0, i - 3) : i] == "越南的"
            ok = True
            if prev and prev in g.zh_not_before:
                ok = False
            elif flag == "suffix":
                ok = after in {"省", "市"} or after_vn
            elif flag == "vn":
                ok = after_vn or (prev == "越" and after in {"省", "市"})
            if (
                ok
                and province in g.metonyms
                and any(text.startswith(w, end) for w in g.metonyms[province]["zh_after"])
            ):
                ok = False  # 河内方面, 河内当局: the government
            if ok:
                out.append(_Found(province, 0, 0, char_span=(i, end)))
                i = end
            else:
                i += 1
        return out


def _mentions(field: str, doc: Doc, g: Gazetteer) -> list[tuple[_Found, Mention]]:
    matcher = _Matcher(doc, g)
    found = matcher.scan() if doc.toks else []
    if doc.cjk:
        found += matcher.scan_cjk()
    out = []
    for f in found:
        if f.char_span is not None:
            s, e = f.char_span
        else:
            s, e = doc.starts[f.start], doc.ends[f.end - 1]
        os_, oe = doc.orig_span(s, e)
        out.append((f, Mention("place", f.province, field, os_, oe, doc.original[os_:oe])))
    out.sort(key=lambda fm: fm[1].start)
    return out


def find_places_docs(title: Doc, text: Doc) -> list[Mention]:
    """Place mentions of prepared fields (see :func:`find_places`)."""
    g = gazetteer()
    pairs = _mentions("title", title, g) + _mentions("text", text, g)
    strong = {f.province for f, _ in pairs if f.strong}
    return [m for f, m in pairs if f.strong or f.province in strong]


def find_places(title: str, text: str) -> list[Mention]:
    """Places named in the title and text, as mentions of current provinces."""
    return find_places_docs(Doc.of(title), Doc.of(text))


def provinces_of(mentions: Iterable[Mention]) -> list[str]:
    """Current province names in order of first mention (title first)."""
    seen: dict[str, None] = {}
    for m in mentions:
        if m.kind == "place":
            seen.setdefault(m.key, None)
    return list(seen)
