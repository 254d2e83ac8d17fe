"""State-secret markings: refuse documents stamped "MẬT", "TỐI MẬT" or "TUYỆT MẬT".

A classification marking is a stamp: the word alone on a line (or in a box) near the top or
bottom of the first page, or a field "Độ mật: …". The same letters occur in ordinary prose
("mật độ", "bảo vệ bí mật Nhà nước", "bảo mật thông tin", "mật khẩu"), so only standalone
markings count; prose mentions never do.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import SecretDocumentError

_MARK = re.compile(r"^[\s*_#\[(|\"“]*(?:TUYỆT\s+MẬT|TỐI\s+MẬT|MẬT)[\s*_\])|\"”.!]*$")
_FIELD = re.compile(r"^[\s*_\-•]*Độ\s+mật\s*:\s*(?P<v>[^\n]*)$", re.I | re.M)
_LEVEL = re.compile(r"^(?:tuyệt\s+mật|tối\s+mật|mật)\b", re.I)
_HEAD_LINES = 40


def secret_marking(text: str) -> str | None:
    """The classification marking of the document, or None."""
    text = unicodedata.normalize("NFC", text)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # A stamp sits near the top (header) or at the very end (some offices stamp the foot).
    candidates = lines[:_HEAD_LINES] + lines[-5:]
    for line in candidates:
        m = _MARK.match(line)
        if m:
            return re.sub(r"[^A-ZĐÀ-Ỹ ]", "", line.upper()).strip()
        # A stamp read into the same line as other header text: "MẬT    Số: 12/KH-UBND".
        stamp = re.match(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT)\s{2,}\S", line)
        if stamp:
            return stamp.group(1)
    for m in _FIELD.finditer(text[:5000]):
        value = m.group("v").strip().strip("*_ ")
        if _LEVEL.match(value):
            return value.upper()
    return None


def check_not_secret(text: str) -> None:
    marking = secret_marking(text)
    if marking:
        raise SecretDocumentError()
