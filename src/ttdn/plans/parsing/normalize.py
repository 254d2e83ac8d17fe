"""Text normalisation: raw extracted text → a list of logical paragraphs.

Plan documents reach us as PDF text with hard line breaks, blank lines inside sentences and
page-break debris, as Markdown with ``**``/``#`` markup, or as Word paragraphs. This module
undoes those artefacts once, so that every later stage works on clean paragraphs that each
start where the author started one: a numbered label, a bullet, a field line
("Cơ quan chủ trì: …") or a new sentence.

Matching is done on a *key* string of the same length as the text in which the old tone-mark
placement ("hoá", "Uỷ") is folded to the new one ("hóa", "Ủy"); values are cut from the text
itself, so names stay as written (rule N1) while patterns only need one spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# --- letter classes -----------------------------------------------------------------------
# Python's re has no \p{Lu}; "À-Ỹ" would also take lower-case letters that sit in that range.
_LATIN = [
    chr(i)
    for i in range(0x41, 0x1EFA)
    if unicodedata.name(chr(i), "").startswith("LATIN") and chr(i).isalpha()
]
UP = "[" + "".join(c for c in _LATIN if c.isupper()) + "]"
LOW = "[" + "".join(c for c in _LATIN if c.islower()) + "]"

# --- tone-mark folding --------------------------------------------------------------------

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _build_fold_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f_case in (first, first.upper()):
                for s_case in (second, second.upper()):
                    old = f_case + unicodedata.normalize("NFC", s_case + tone)
                    new = unicodedata.normalize("NFC", f_case + tone) + s_case
                    if len(old) == 2 and len(new) == 2:
                        table[old] = new
    return table


_FOLD = _build_fold_table()
# Only at the end of a syllable: in "hoàn", "thuyền" both spellings already agree.
_FOLD_RE = re.compile("(" + "|".join(sorted(_FOLD)) + r")(?![^\W\d_])")


def fold(text: str) -> str:
    """Map old-style tone placement to new style; the result has the same length."""
    return _FOLD_RE.sub(lambda m: _FOLD[m.group(1)], text)


# --- character-level clean-up -------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\t\f\v"), " ")
_MD_EMPH = re.compile(r"(?<![\w*])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*])|\*\*")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?\s*$", re.I
)
_MULTISPACE = re.compile(r"[ ]{2,}")


def clean_chars(text: str) -> str:
    """NFC, no invisible characters, one kind of space and line break."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")


def strip_markdown(line: str) -> tuple[str, bool, bool]:
    """Remove Markdown markup from one line; return (text, was_heading, was_bold)."""
    heading = bool(_MD_HEADING.match(line)) and line.lstrip().startswith("#")
    if heading:
        line = _MD_HEADING.sub("", line)
    stripped = line.strip()
    bold = stripped.startswith("**") or stripped.startswith("__")
    line = _MD_ESCAPE.sub(r"\1", line)
    line = _MD_EMPH.sub("", line)
    return line, heading, bold


# --- numbered labels ----------------------------------------------------------------------

_ROMAN_OK = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_UPPER_START = rf"(?=[\"“'(\[*]?(?:{UP}|[0-9])|$)"
RE_ROMAN = re.compile(r"^(?P<l>[IVX]{1,5})\s*[.)\-–:]\s*(?P<rest>.*)$")
# "II.2.1." — the Roman level written into the label itself.
RE_ROMAN_DECIMAL = re.compile(
    r"^(?P<r>[IVX]{1,5})\.(?P<l>\d{1,2}(?:\.\d{1,2})*)\.?(?:\s+|$)(?P<rest>.*)$"
)
RE_DECIMAL = re.compile(r"^(?P<l>\d{1,2}(?:\.\d{1,2})+)\.?(?:\s+|$)(?P<rest>.*)$")
RE_ARABIC = re.compile(r"^(?P<l>\d{1,2})\s*(?P<p>[.)]|/(?=\s))\s*(?![\d/])(?P<rest>.*)$")
RE_LETTER = re.compile(
    r"^(?P<l>[a-zđ])\s*(?P<p>\))\s*(?P<rest>.*)$|^(?P<l2>[a-zđ])\.\s+"
    rf"(?P<rest2>(?={UP}).*)$"
)
RE_BULLET = re.compile(r"^(?P<b>[-–—+•●▪◦○∙·*➢►✓])\s*(?=\S)(?P<rest>.*)$")
RE_FOOTNOTE = re.compile(
    r"^(?P<f>[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,2}\]|\[\^\w{1,8}\](?=:))\s*:?\s*(?P<rest>\S.*)$"
)


@dataclass(frozen=True)
class Label:
    """A numbered label as written: ``style`` is roman/arabic/paren/decimal/letter."""

    style: str
    text: str  # without trailing punctuation: "II", "2", "2.1", "a"
    root: str | None = None  # the Roman part of a label written "II.2.1" (text is then "2.1")

    @property
    def parts(self) -> list[str]:
        return self.text.split(".")


def parse_label(text: str) -> tuple[Label | None, str]:
    """Split a leading numbered label from a paragraph's text."""
    m = RE_ROMAN_DECIMAL.match(text)
    if m and _ROMAN_OK.match(m.group("r")) and re.match(_UPPER_START, m.group("rest")):
        return Label("decimal", m.group("l"), root=m.group("r")), m.group("rest")
    m = RE_ROMAN.match(text)
    if m and _ROMAN_OK.match(m.group("l")) and re.match(_UPPER_START, m.group("rest")):
        return Label("roman", m.group("l")), m.group("rest")
    m = RE_DECIMAL.match(text)
    if m and re.match(_UPPER_START, m.group("rest")):
        return Label("decimal", m.group("l")), m.group("rest")
    m = RE_ARABIC.match(text)
    if m and re.match(_UPPER_START, m.group("rest")):
        style = "arabic" if m.group("p") in (".", "/") else "paren"
        return Label(style, str(int(m.group("l")))), m.group("rest")
    m = RE_LETTER.match(text)
    if m:
        if m.group("l"):
            return Label("letter", m.group("l")), m.group("rest")
        return Label("letter", m.group("l2")), m.group("rest2")
    return None, text


# --- paragraphs ---------------------------------------------------------------------------


@dataclass
class Para:
    """One logical paragraph of the document."""

    text: str
    line: int
    label: Label | None = None
    body: str = ""  # text after the label / bullet marker
    bullet: str | None = None
    footnote: str | None = None
    md_heading: bool = False
    bold: bool = False
    caps: bool = False
    cells: list[str] | None = None  # a table row
    key: str = field(default="", repr=False)
    body_key: str = field(default="", repr=False)

    def finish(self) -> None:
        """Derive label/bullet/key fields from ``text`` once it is complete."""
        self.text = _MULTISPACE.sub(" ", self.text).strip()
        self.key = fold(self.text)
        letters = [c for c in self.text if c.isalpha()]
        self.caps = len(letters) >= 3 and all(c.isupper() for c in letters)
        if self.cells is not None:
            self.body, self.body_key = self.text, self.key
            return
        m = RE_FOOTNOTE.match(self.text)
        if m:
            self.footnote = m.group("f")
            self.body = m.group("rest")
        else:
            label, rest = parse_label(self.text)
            if label is not None:
                self.label = label
                self.body = rest
            else:
                mb = RE_BULLET.match(self.text)
                if mb and not _PAGE_NUMBER.match(self.text):
                    self.bullet = mb.group("b")
                    self.body = mb.group("rest")
                else:
                    self.body = self.text
        self.body = self.body.strip()
        self.body_key = fold(self.body)


_TERMINAL = re.compile(r"[.;:!?…][\s\"”’')\]*¹²³⁴⁵⁶⁷⁸⁹⁰]*$|\./\.$")
_OPENERS = re.compile(
    r"^(?:Căn cứ|Thực hiện|Triển khai|Xét đề nghị|Nơi nhận|Kính gửi|Số\s*:|V/v|KT\.|TM\.|Q\.|"
    r"TL\.|TUQ\.|Trân trọng|Trên đây|CỘNG HÒA|CỘNG HOÀ|Độc lập|PHỤ LỤC|Phụ lục)"
)
_FIELD_START = re.compile(
    r"^(?:(?:Cơ quan|Đơn vị|Bộ phận)(?:\s*[,/]\s*(?:đơn vị|địa phương|cơ quan))*\s+"
    r"(?:chủ trì|phối hợp|thực hiện|chịu trách nhiệm|đầu mối)|Chủ trì|Phối hợp|"
    r"Thời gian|Thời hạn|Tiến độ|Sản phẩm|Kết quả|Địa điểm|Thành phần|Kinh phí)[^:]{0,30}:"
)
_JOIN_TIGHT_PREV = re.compile(r"(?:\d-|[A-ZĐ]/|\d/)$")
_JOIN_TIGHT_NEXT = re.compile(r"^[A-ZĐ][A-ZĐa-z]*[/-]")
_PLACE_DATE = re.compile(r"^[^\d,;:]{2,40},\s*ngày\b", re.I)


def _is_table_line(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2


def _split_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


TASK_TABLE_HEAD = re.compile(r"chủ\s*trì|thực\s*hiện|phối\s*hợp|nhiệm\s*vụ", re.I)


def _flatten_layout_tables(lines: list[str]) -> list[str]:
    """Keep task tables as pipe rows; other tables (header, signature) become plain lines.

    Word files put the header block and the signature in borderless tables; their cells are
    ordinary lines of the document, read row by row and cell by cell.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _is_table_line(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _is_table_line(lines[j]):
            j += 1
        block = lines[i:j]
        head = " ".join(block[:3])
        if TASK_TABLE_HEAD.search(fold(head)) and len(block) >= 2:
            out.extend(block)
        else:
            for row in block:
                if _SEPARATOR_ROW.match(row):
                    continue
                for cell in _split_cells(row):
                    out.extend(x for x in cell.split("<br>") if x.strip())
                out.append("")
        i = j
    return out


_UNWRAPPED = 130  # a 95th-percentile line longer than this means the text is not hard-wrapped


def wrap_width(lines: list[str]) -> int:
    """Width at which the text was hard-wrapped (capped: unwrapped text counts as wide)."""
    lengths = sorted(len(x) for x in lines if len(x) > 20)
    if not lengths:
        return 80
    top = lengths[min(len(lengths) - 1, int(len(lengths) * 0.95))]
    return int(max(40, top))


def _starts_new(
    prev: Para, prev_last_line: str, line: str, width: int, line_label: Label | None
) -> bool:
    """Decide whether ``line`` starts a new paragraph after ``prev``."""
    if prev.cells is not None:
        return True
    if _glue(prev_last_line, line) == "":
        return False  # an identifier ("57-" / "KL/TW") or a word cut by the line break
    first = line[:1]
    prev_text = prev_last_line.rstrip()
    if prev.label is not None and not parse_label(prev.text.strip())[1].strip():
        return False  # a label alone on its line: its heading follows
    if line_label is not None:
        body = parse_label(line)[1]
        # "2020." at the start of a line that only ends the previous sentence (S2)
        return not (not body and not _TERMINAL.search(prev_text))
    if RE_BULLET.match(line) or RE_FOOTNOTE.match(line) or _FIELD_START.match(line):
        return True
    if prev.md_heading:
        return True
    if _OPENERS.match(line) or _PLACE_DATE.match(line):
        return True
    if first.islower() or first in ",;)":
        return False
    letters = [c for c in line if c.isalpha()]
    line_caps = len(letters) >= 3 and all(c.isupper() for c in letters)
    prev_letters = [c for c in prev_text if c.isalpha()]
    prev_caps = len(prev_letters) >= 3 and all(c.isupper() for c in prev_letters)
    if line_caps != prev_caps:
        return True
    if _TERMINAL.search(prev_text):
        return True
    if prev.bold and prev_text.endswith(("**", "__")):
        return True
    # An unterminated line followed by a capitalised one is a wrap when the next word would
    # not have fitted on the line; headings get the strict test because they are short anyway.
    if width > _UNWRAPPED:
        # Text without hard wraps (Markdown, Word): a heading line ends its paragraph; a long
        # unterminated prose line is a sentence cut by a stray line break.
        if prev.label is not None or prev_caps or prev.bold:
            return True
        return len(prev_text) < 60
    if prev.label is not None or prev_caps or prev.bold:
        next_word = line.split(" ", 1)[0]
        return len(prev_text) + 1 + len(next_word) < 0.88 * width
    return len(prev_text) < 0.6 * width


# A syllable always has a vowel: a line that opens with a lower-case run of consonants only
# ("ng.", "nh,") is the end of a word cut by a line or page break ("Truyền thô" / "ng").
_VOWELS = frozenset("aeiouy")
_FRAGMENT = re.compile(rf"^{LOW}+(?=[\s.,;:)]|$)")


def _is_fragment(line: str) -> bool:
    m = _FRAGMENT.match(line)
    if not m:
        return False
    return not any(c in _VOWELS for c in unicodedata.normalize("NFD", m.group(0).lower()))


def _glue(prev_line: str, line: str) -> str:
    """The separator that joins ``line`` to ``prev_line`` inside one paragraph."""
    if _JOIN_TIGHT_PREV.search(prev_line) and _JOIN_TIGHT_NEXT.match(line):
        return ""
    if prev_line[-1:].isalpha() and _is_fragment(line):
        return ""
    return " "


_FURNITURE_REACH = 3  # non-blank lines around a page number that can hold a running header


def drop_page_furniture(lines: list[str]) -> list[str]:
    """Remove running headers and footers that PDF text layers repeat on every page.

    A line counts as page furniture when the same text occurs at least twice and every
    occurrence sits next to a page-number line (within a few non-blank lines). The lines
    are blanked, not removed, so line numbers stay those of the source.
    """
    norm = [_MULTISPACE.sub(" ", x).strip() for x in lines]
    filled = [i for i, x in enumerate(norm) if x]
    pages = [k for k, i in enumerate(filled) if _PAGE_NUMBER.match(norm[i])]
    if not pages:
        return lines
    near: set[int] = set()
    for k in pages:
        for j in range(max(0, k - _FURNITURE_REACH), min(len(filled), k + _FURNITURE_REACH + 1)):
            near.add(filled[j])
    seen: dict[str, list[int]] = {}
    for i in filled:
        seen.setdefault(norm[i], []).append(i)
    out = list(lines)
    for text, where in seen.items():
        if (
            len(where) >= 2
            and len(text) >= 8
            and not _PAGE_NUMBER.match(text)
            and not _is_table_line(text)
            and parse_label(text)[0] is None
            and not RE_BULLET.match(text)
            and all(i in near for i in where)
        ):
            for i in where:
                out[i] = ""
    return out


def to_paragraphs(text: str) -> list[Para]:
    """Rebuild logical paragraphs from extracted text (see module docstring)."""
    raw_lines = _flatten_layout_tables(drop_page_furniture(clean_chars(text).split("\n")))
    lines: list[tuple[int, str, bool, bool]] = []
    for i, raw in enumerate(raw_lines):
        if _is_table_line(raw):
            lines.append((i, raw.strip(), False, False))
            continue
        if _MD_RULE.match(raw):
            continue
        line, heading, bold = strip_markdown(raw)
        line = _MULTISPACE.sub(" ", line).strip()
        if not line or _PAGE_NUMBER.match(line) or line in {"/s/"}:
            continue
        lines.append((i, line, heading, bold))
    width = wrap_width([ln for _, ln, _, _ in lines])

    paras: list[Para] = []
    cur: Para | None = None
    cur_last = ""
    for i, line, heading, bold in lines:
        if _is_table_line(line):
            if _SEPARATOR_ROW.match(line):
                continue
            if cur is not None:
                paras.append(cur)
            cells = _split_cells(line)
            cur = Para(text=" | ".join(cells), line=i, cells=cells)
            cur_last = line
            continue
        label, _ = parse_label(line)
        if cur is not None and not heading and not _starts_new(cur, cur_last, line, width, label):
            cur.text = cur.text.rstrip() + _glue(cur_last, line) + line
            cur.bold = cur.bold or bold
            cur_last = line
            continue
        if cur is not None:
            paras.append(cur)
        cur = Para(text=line, line=i, md_heading=heading, bold=bold, label=label)
        cur_last = line
    if cur is not None:
        paras.append(cur)
    for p in paras:
        p.finish()
    return [p for p in paras if p.text]


def clean_value(value: str) -> str:
    """Rule G1 for a value: single spaces, no markup, no trailing punctuation."""
    value = _MD_EMPH.sub("", value.replace("**", ""))
    value = re.sub(r"\s+", " ", value).strip()
    return value.strip(" .:;,").strip()
