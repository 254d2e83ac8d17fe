"""``analyse()`` end to end, and its quality on the hand-written development set."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from ttdn.monitoring.analysis import Analysis, analyse

DEV = Path(__file__).parent / "data" / "press_dev.jsonl"


def test_analyse_returns_every_field() -> None:
    a = analyse(
        "Hà Giang: Khai mạc Lễ hội hoa tam giác mạch",
        "Tối 10/11, UBND tỉnh Hà Giang khai mạc lễ hội, thu hút hàng nghìn du khách.",
    )
    assert isinstance(a, Analysis)
    assert a.lang == "vi"
    assert a.provinces == ["Tuyên Quang"]
    assert a.topics == ["du_lich_van_hoa"]
    assert a.sentiment == "positive"
    assert 0 < a.sentiment_score <= 1
    assert len(a.content_hash) == 40
    assert isinstance(a.simhash, int)
    assert "p:Tuyên Quang" in a.signature
    assert all(m.kind == "place" for m in a.mentions)
    assert a.mentions[0].field == "title"


def test_analyse_handles_empty_and_odd_input() -> None:
    a = analyse("", "")
    assert a.provinces == [] and a.topics == ["khac"] and a.sentiment == "neutral"
    b = analyse("!!!", "12345 ... ---")
    assert b.sentiment == "neutral"


def test_the_language_hint_is_used_when_detection_is_unsure() -> None:
    assert analyse("Hanoi", "", lang="en").lang == "en"


def _scores(path: Path) -> dict[str, float]:
    def canon(name: str) -> str:
        return unicodedata.normalize("NFC", name)

    lang_ok = sent_ok = n = 0
    tp = {"p": 0, "t": 0}
    npred = {"p": 0, "t": 0}
    ngold = {"p": 0, "t": 0}
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        a = analyse(item["title"], item["text"])
        n += 1
        lang_ok += a.lang == item["lang"]
        sent_ok += a.sentiment == item["sentiment"]
        for key, pred, gold in (
            ("p", {canon(p) for p in a.provinces}, {canon(p) for p in item["provinces"]}),
            ("t", set(a.topics), set(item["topics"])),
        ):
            tp[key] += len(pred & gold)
            npred[key] += len(pred)
            ngold[key] += len(gold)

    def f1(key: str) -> float:
        p = tp[key] / npred[key] if npred[key] else 1.0
        r = tp[key] / ngold[key] if ngold[key] else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    return {"lang": lang_ok / n, "province": f1("p"), "topic": f1("t"), "sentiment": sent_ok / n}


def test_quality_on_the_development_set() -> None:
    scores = _scores(DEV)
    assert scores["lang"] >= 0.95
    assert scores["province"] >= 0.9
    assert scores["topic"] >= 0.75
    assert scores["sentiment"] >= 0.8
