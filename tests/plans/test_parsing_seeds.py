"""Quality bars on the five annotated seeds, measured with the shared scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ttdn.plans.parsing import parse_file

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "eval" / "plans"
SCORER = SHARED / "eval" / "score_plans.py"

pytestmark = pytest.mark.skipif(
    not (SEEDS.is_dir() and GOLD.is_dir() and SCORER.is_file()),
    reason="shared seeds/gold/scorer not present",
)


def _scorer():
    spec = importlib.util.spec_from_file_location("score_plans", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scorer_bars_on_seeds(tmp_path: Path) -> None:
    scorer = _scorer()
    total: dict[str, int] = {}
    golds = sorted(GOLD.glob("*.gold.json"))
    assert golds
    for gold_path in golds:
        base = gold_path.name[: -len(".gold.json")]
        seed = SEEDS / f"{base}.txt"
        out = parse_file(seed)
        # The output must be JSON-serialisable exactly as the CLI prints it.
        (tmp_path / f"{base}.json").write_text(json.dumps(out, ensure_ascii=False), "utf-8")
        counts = scorer.score(
            json.loads((tmp_path / f"{base}.json").read_text("utf-8")),
            json.loads(gold_path.read_text("utf-8")),
        )
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
    figures = scorer.summarize(total)
    assert figures["section_f1"] >= 0.95, figures
    assert figures["task_f1"] >= 0.90, figures
    assert figures["lead_acc"] >= 0.90, figures
    assert figures["legal_f1"] >= 0.95, figures
    assert figures["header_acc"] >= 0.90, figures


CONTRACT_KEYS = {
    "title",
    "number",
    "issuer",
    "issued_date",
    "year",
    "legal_bases",
    "sections",
    "tasks",
    "report_deadline",
}
TASK_KEYS = {"section", "summary", "lead", "coordinating", "deadline", "due", "recurrence"}


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
def test_contract_shape(seed: Path) -> None:
    out = parse_file(seed)
    assert set(out) >= CONTRACT_KEYS
    for task in out["tasks"]:
        assert set(task) >= TASK_KEYS
        assert isinstance(task["lead"], list) and task["lead"]
        assert isinstance(task["coordinating"], list)
        assert len(task["summary"].split()) <= 20
    for section in out["sections"]:
        assert set(section) == {"number", "heading"}
