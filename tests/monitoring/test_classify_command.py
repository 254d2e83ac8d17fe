"""``ttdn monitor classify``: the contract in shared/contracts/monitor-classify.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]) -> list[dict]:
    path = tmp_path / "items.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    call_command("monitor", "classify", str(path))
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def item(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_classify_writes_one_line_per_item_in_order(tmp_path: Path, capsys) -> None:
    out = run(
        tmp_path,
        capsys,
        [
            item(id="x1", title="Hà Giang: Khai mạc lễ hội hoa", text="Du khách đến Hà Giang."),
            item(id="x2", title="Typhoon hits Quang Ninh", text="Floods killed 3 in Quang Ninh."),
            item(
                id=3,
                title="",
                text="越南广宁省下龙湾接待游客人数创新高",
                lang="zh",
                url="https://x",
            ),
        ],
    )
    assert [o["id"] for o in out] == ["x1", "x2", 3]
    assert out[0] == {
        "id": "x1",
        "lang": "vi",
        "provinces": ["Tuyên Quang"],
        "topics": ["du_lich_van_hoa"],
        "sentiment": "positive",
    }
    assert out[1]["lang"] == "en" and out[1]["provinces"] == ["Quảng Ninh"]
    assert out[1]["sentiment"] == "negative" and "su_co_tieu_cuc" in out[1]["topics"]
    assert out[2]["lang"] == "zh" and out[2]["provinces"] == ["Quảng Ninh"]


def test_bad_lines_get_an_error_and_the_run_goes_on(tmp_path: Path, capsys) -> None:
    out = run(
        tmp_path,
        capsys,
        [
            "{not json",
            item(title="no id here", text=""),
            item(id=None, title="null id"),
            "[1, 2]",
            "",
            item(id="ok", title="Bắc Giang", text=""),
        ],
    )
    assert len(out) == 6
    for o in out[:5]:
        assert o["id"] is None and o["error"]
    assert out[5]["id"] == "ok" and out[5]["provinces"] == ["Bắc Ninh"]


def test_output_is_utf8_without_escapes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(item(id="u", title="Thừa Thiên Huế", text="") + "\n", encoding="utf-8")
    call_command("monitor", "classify", str(path))
    raw = capsys.readouterr().out
    assert "Huế" in raw and "\\u" not in raw


def test_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("monitor", "classify", str(tmp_path / "missing.jsonl"))


def test_an_action_is_required() -> None:
    with pytest.raises(CommandError):
        call_command("monitor")
