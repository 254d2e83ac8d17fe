"""Every user-facing string has a Vietnamese translation, and the compiled catalog is
the one built from the committed .po (docs/adr/0005)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "ttdn" / "locale"
PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry, plural forms folded into msgstr."""
    out = []
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0], re.M)
        )
        strs = "".join(re.findall(r'"(.*)"', "msgstr".join(block.split("msgstr")[1:])))
        out.append((msgid, strs, fuzzy))
    return out


def test_every_string_is_translated_into_vietnamese():
    entries = [e for e in _entries(PO.read_text("utf-8")) if e[0]]  # skip the header
    assert len(entries) > 100
    missing = [m for m, s, _ in entries if not s]
    fuzzy = [m for m, _, f in entries if f]
    assert missing == [], f"untranslated: {missing[:10]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:10]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_compiled_catalog_matches_the_po(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(PO)], check=True)
    committed = PO.with_suffix(".mo").read_bytes()
    assert out.read_bytes() == committed, "run: cd src/ttdn && ttdn compilemessages"
