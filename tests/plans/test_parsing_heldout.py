"""Held-out quality figures for the plan parser (tests/plans/data/heldout).

THESE DOCUMENTS ARE HELD OUT: the parser must not be tuned on them. Do not read them to
write or adjust parsing rules; if a figure here drops, fix the general genre rule (the
evaluator's report describes each error without quoting the documents) and leave the
documents and gold files untouched. They were written by an independent evaluator, with the
gold annotations (shared ANNOTATION.md rules) fixed before the parser was first run on them.

* ``a_hung_yen_appendix.md`` — tasks only in a "PHỤ LỤC DANH MỤC NHIỆM VỤ" table after the
  signature (columns TT | Nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành |
  Kết quả/sản phẩm, group rows A/B/C). Judgement: no numbered section holds the appendix and
  table group rows are not sections (S2), so its tasks have ``section: null``.
* ``b_tam_duong_district.txt`` — 2023 district People's Committee plan ("Phòng … huyện").
* ``c_quang_tri_tcvn3.txt`` — legacy TCVN3 (ABC) bytes, CRLF, capitals with tone marks stored
  as the lower-case code points (the ".VnTimeH" convention).
* ``d_ben_tre_vni.txt`` — legacy VNI-Windows bytes.
* ``e_phu_yen_scan.pdf`` — image-only one-page scan (read through Tesseract ``vie``).
* ``f_nghe_an_long.md`` — long provincial plan (35 sections), mixed levels and labels.

``sources/`` holds the UTF-8 originals of c/d/e, the legacy encoder and the page renderer.
Figures measured at hand-over (score_plans.py micro TOTAL): section_f1=1.00 task_f1=0.85
lead_acc=0.85 coord_f1=1.00 legal_f1=1.00 header_acc=1.00. The bars below are those minus
0.05: a regression guard, not a target.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ttdn.plans.parsing import parse_file

REPO = Path(__file__).resolve().parents[2]
SCORER = REPO.parent / "shared" / "eval" / "score_plans.py"
DATA = Path(__file__).resolve().parent / "data" / "heldout"
OCR_BASE = "e_phu_yen_scan"

MEASURED = {
    "section_f1": 1.00,
    "task_f1": 0.85,
    "lead_acc": 0.85,
    "coord_f1": 1.00,
    "legal_f1": 1.00,
    "header_acc": 1.00,
}
MARGIN = 0.05


def _scorer() -> ModuleType:
    if not SCORER.is_file():
        pytest.skip("shared scorer not present (/work/shared absent)")
    spec = importlib.util.spec_from_file_location("score_plans_heldout", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ocr_available() -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        proc = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = (proc.stdout + proc.stderr).decode("utf-8", "replace").split()
    return "vie" in langs


def _bases() -> list[str]:
    return [g.name[: -len(".gold.json")] for g in sorted(DATA.glob("*.gold.json"))]


def _source(base: str) -> Path:
    found = [p for p in DATA.glob(f"{base}.*") if not p.name.endswith(".gold.json")]
    assert len(found) == 1, (base, found)
    return found[0]


def _parse(base: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        json.dumps(parse_file(_source(base)), ensure_ascii=False, default=str)
    )
    return result


def test_heldout_set_is_complete() -> None:
    bases = _bases()
    assert len(bases) == 6, bases
    for base in bases:
        gold = json.loads((DATA / f"{base}.gold.json").read_text("utf-8"))
        assert gold["sections"] and gold["tasks"], base
        _source(base)


def test_heldout_micro_figures() -> None:
    scorer = _scorer()
    total: dict[str, int] = {}
    per_doc: dict[str, dict[str, float]] = {}
    ocr = _ocr_available()
    for base in _bases():
        if base == OCR_BASE and not ocr:
            continue  # the scan needs tesseract with the "vie" language
        gold = json.loads((DATA / f"{base}.gold.json").read_text("utf-8"))
        counts = scorer.score(_parse(base), gold)
        per_doc[base] = scorer.summarize(counts)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    figures = scorer.summarize(total)
    for key, measured in MEASURED.items():
        assert figures[key] >= measured - MARGIN, (key, figures, per_doc)


def test_heldout_scan_goes_through_ocr() -> None:
    if not _ocr_available():
        pytest.skip("tesseract with the 'vie' language is not installed")
    scorer = _scorer()
    gold = json.loads((DATA / f"{OCR_BASE}.gold.json").read_text("utf-8"))
    figures = scorer.summarize(scorer.score(_parse(OCR_BASE), gold))
    assert figures["section_f1"] >= 0.95 and figures["task_f1"] >= 0.95, figures
