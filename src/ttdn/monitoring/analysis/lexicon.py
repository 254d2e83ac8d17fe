"""Phrase dictionaries matched against a :class:`~.text.Doc` in one pass.

Topic keywords, sentiment phrases and story concepts are all phrases with a payload.
A :class:`Lexicon` indexes them in a trie of folded words (Latin scripts) or by
characters (CJK) and returns, for every *group* of payloads, the longest phrases found
without overlaps inside the group ("kim ngạch xuất khẩu" counts once, not also as
"xuất khẩu"), while different groups see the same words ("tăng trưởng kinh tế" is a
topic phrase and its "tăng trưởng" still a sentiment phrase).

A phrase written with diacritics matches the same words with the same diacritics, or
the words written without any diacritics in a text that has none ("bao" is not "bão" in
a Vietnamese text, but is in one typed without accents). Acronyms must be written in
capitals ("US" is not "us") and one-word proper nouns capitalised ("Pháp" is France,
"giải pháp" is a solution).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from .text import CJK, Doc, fold, written_phrase

_ANY, _TITLE, _UPPER = 0, 1, 2


def _case_rule(phrase: str) -> int:
    letters = [c for c in phrase if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return _UPPER
    if " " not in phrase.strip() and phrase[:1].isupper():
        return _TITLE
    return _ANY


@dataclass(frozen=True)
class Hit:
    group: Hashable
    payload: Any
    start: int  # character offsets in the doc's NFC text
    end: int
    tok: int  # first word index (-1 for CJK hits)


# A trie node: (children by folded word, entries ending here).
_Entry = tuple[str, Hashable, Any, int]  # (written form, group, payload, case rule)
_Node = tuple[dict[str, Any], list[_Entry]]


class Trie:
    """Folded word sequences → values."""

    def __init__(self) -> None:
        self.root: dict[str, _Node] = {}

    def add(self, key: str, value: Any) -> None:
        words = key.split(" ")
        children = self.root
        node: _Node | None = None
        for w in words:
            node = children.get(w)
            if node is None:
                node = ({}, [])
                children[w] = node
            children = node[0]
        assert node is not None
        node[1].append(value)

    def walk(self, toks: list[str], joinable: list[bool], i: int) -> list[tuple[int, list[Any]]]:
        """(end word, values) of every key starting at word i, shortest first."""
        node = self.root.get(toks[i])
        out: list[tuple[int, list[Any]]] = []
        k = i + 1
        n = len(toks)
        while node is not None:
            if node[1]:
                out.append((k, node[1]))
            if k >= n or not joinable[k - 1] or not node[0]:
                break
            node = node[0].get(toks[k])
            k += 1
        return out


class Lexicon:
    """Phrases with (group, payload) values."""

    def __init__(self, entries: Iterable[tuple[str, Hashable, Any]]) -> None:
        self.trie = Trie()
        cjk: dict[str, list[tuple[Hashable, Any]]] = {}
        size = 0
        for phrase, group, payload in entries:
            phrase = (phrase or "").strip()
            if not phrase:
                continue
            if CJK.search(phrase):
                cjk.setdefault(phrase, []).append((group, payload))
                continue
            key = fold(phrase)
            if key:
                self.trie.add(key, (written_phrase(phrase), group, payload, _case_rule(phrase)))
                size += 1
        self.size = size + len(cjk)
        self.cjk = cjk
        lengths: dict[str, set[int]] = {}
        for k in cjk:
            lengths.setdefault(k[0], set()).add(len(k))
        # phrase lengths by first character, longest first
        self.cjk_lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}

    def __len__(self) -> int:
        return self.size

    def find(self, doc: Doc) -> list[Hit]:
        hits: list[Hit] = []
        if doc.toks and self.trie.root:
            self._find_latin(doc, hits)
        if doc.cjk and self.cjk:
            self._find_cjk(doc, hits)
        return hits

    def _find_latin(self, doc: Doc, hits: list[Hit]) -> None:
        toks = doc.toks
        joinable = doc.joinable_loose
        nfc = doc.nfc
        starts, ends = doc.starts, doc.ends
        plain = doc.plain
        root = self.trie.root
        n = len(toks)
        blocked: dict[Hashable, int] = {}
        for i in range(n):
            node = root.get(toks[i])
            if node is None:
                continue
            # the trie walk, inlined: this loop runs for most words of every text
            matches = []
            k = i + 1
            while True:
                if node[1]:
                    matches.append((k, node[1]))
                if k >= n or not joinable[k - 1] or not node[0]:
                    break
                node = node[0].get(toks[k])
                if node is None:
                    break
                k += 1
            if not matches:
                continue
            done: set[Hashable] = set()
            for k, entries in reversed(matches):
                raw = nfc[starts[i] : ends[k - 1]]
                surface = written_phrase(raw)
                for form, group, payload, case in entries:
                    if group in done or blocked.get(group, 0) > i:
                        continue
                    if surface != form and not (plain and raw.isascii()):
                        continue
                    if case == _UPPER and not raw.isupper():
                        continue
                    if case == _TITLE and not raw[:1].isupper():
                        continue
                    hits.append(Hit(group, payload, starts[i], ends[k - 1], i))
                    done.add(group)
                    blocked[group] = k

    def _find_cjk(self, doc: Doc, hits: list[Hit]) -> None:
        text = doc.nfc
        by_first = self.cjk_lengths
        blocked: dict[Hashable, int] = {}
        for i, ch in enumerate(text):
            lengths = by_first.get(ch)
            if lengths is None:
                continue
            done: set[Hashable] = set()
            for length in lengths:
                entries = self.cjk.get(text[i : i + length])
                if not entries:
                    continue
                for group, payload in entries:
                    if group in done or blocked.get(group, 0) > i:
                        continue
                    hits.append(Hit(group, payload, i, i + length, -1))
                    done.add(group)
                    blocked[group] = i + length
