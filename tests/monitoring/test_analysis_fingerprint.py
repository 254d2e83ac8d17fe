"""Duplicates (hash, simhash) and stories across languages (signatures)."""

from __future__ import annotations

from ttdn.monitoring.analysis import (
    NEAR_DUP_BITS,
    SAME_STORY,
    analyse,
    content_hash,
    hamming,
    near_duplicate,
    simhash,
    story_similarity,
)

STORM_VI = (
    "NGHỆ AN (TTXVN) - Chiều 25/9, bão số 10 đổ bộ vào các tỉnh Nghệ An và Hà Tĩnh với sức gió "
    "mạnh cấp 12, khiến 3 người tử vong, 27 người bị thương và hơn 1.200 ngôi nhà bị tốc mái. "
    "Tại huyện Diễn Châu, nhiều tàu cá của ngư dân bị sóng đánh chìm. Lực lượng cứu hộ đang "
    "khẩn trương tìm kiếm 2 ngư dân mất tích và khắc phục hậu quả. Ông Nguyễn Văn Đệ, Phó Chủ "
    "tịch UBND tỉnh Nghệ An, cho biết tỉnh đã sơ tán hơn 20.000 người khỏi vùng nguy hiểm."
)
STORM_VI_REPOST = (
    "(Dân trí) - Chiều 25/9, bão số 10 đổ bộ vào các tỉnh Nghệ An và Hà Tĩnh với sức gió "
    "mạnh cấp 12, làm 3 người tử vong, 27 người bị thương và hơn 1.200 ngôi nhà bị tốc mái. "
    "Tại huyện Diễn Châu, nhiều tàu cá của ngư dân bị sóng đánh chìm. Lực lượng cứu hộ đang "
    "khẩn trương tìm kiếm 2 ngư dân mất tích và khắc phục hậu quả. Ông Nguyễn Văn Đệ, Phó Chủ "
    "tịch UBND tỉnh Nghệ An, cho biết tỉnh đã sơ tán hơn 20.000 người khỏi vùng nguy hiểm./."
)
STORM_EN = (
    "HANOI, Sept 25 (Reuters) - Typhoon Bualoi made landfall in the central provinces of Nghe An "
    "and Ha Tinh on Thursday afternoon, killing 3 people and injuring 27, while 2 fishermen "
    "were missing after their boats sank, local officials said. Nguyen Van De, vice chairman of "
    "Nghe An province, said more than 20,000 people had been evacuated."
)
FAIR_VI = (
    "Sáng 12/10, tại thành phố Vinh, UBND tỉnh Nghệ An khai mạc Hội chợ thương mại quốc tế "
    "Việt - Lào 2025 với 350 gian hàng của doanh nghiệp hai nước. Hội chợ là dịp quảng bá sản "
    "phẩm OCOP, thúc đẩy xuất khẩu và thu hút đầu tư vào tỉnh."
)
FLOOD_EN = (
    "Floods in the northern province of Lao Cai killed 14 people on Tuesday, July 8, after "
    "torrential rain triggered landslides that buried houses in Bat Xat district, the disaster "
    "agency said. Rescuers were searching for 6 missing villagers."
)


def test_a_repost_with_another_dateline_has_the_same_content_hash() -> None:
    body = STORM_VI.split(" - ", 1)[1]
    assert content_hash("Bão số 10 đổ bộ", STORM_VI) == content_hash("Tin mới", "(VNA) - " + body)
    assert content_hash("", STORM_VI) != content_hash("", FAIR_VI)


def test_a_repost_with_edits_is_a_near_duplicate() -> None:
    a = analyse("Bão số 10 gây thiệt hại nặng ở Nghệ An", STORM_VI)
    b = analyse("Nghệ An, Hà Tĩnh: 3 người chết do bão", STORM_VI_REPOST)
    assert a.content_hash != b.content_hash
    assert hamming(a.simhash, b.simhash) <= NEAR_DUP_BITS
    assert near_duplicate(a.simhash, b.simhash)


def test_different_stories_are_not_near_duplicates() -> None:
    assert not near_duplicate(simhash(STORM_VI), simhash(FAIR_VI))
    assert hamming(simhash(STORM_VI), simhash(FAIR_VI)) > 3 * NEAR_DUP_BITS


def test_simhash_is_a_signed_int64_and_stable() -> None:
    values = [simhash(t) for t in (STORM_VI, STORM_EN, FAIR_VI, FLOOD_EN, "", "một hai")]
    for v in values:
        assert -(2**63) <= v < 2**63
    assert simhash(STORM_VI) == simhash(STORM_VI)
    assert hamming(-1, 0) == 64
    assert hamming(values[0], values[1]) == hamming(values[1], values[0])


def test_a_vietnamese_and_an_english_article_on_one_event_are_one_story() -> None:
    vi = analyse("Bão số 10 đổ bộ Nghệ An, Hà Tĩnh: 3 người tử vong", STORM_VI)
    en = analyse("Typhoon Bualoi kills 3 in central Vietnam", STORM_EN)
    assert {"p:Nghệ An", "p:Hà Tĩnh", "d:09-25", "c:death"} <= vi.signature & en.signature
    assert story_similarity(vi.signature, en.signature) >= SAME_STORY


def test_different_stories_are_not_one_story() -> None:
    storm = analyse("Bão số 10 đổ bộ Nghệ An, Hà Tĩnh: 3 người tử vong", STORM_VI)
    fair = analyse("Khai mạc Hội chợ thương mại quốc tế Việt - Lào tại Nghệ An", FAIR_VI)
    flood = analyse("Floods kill 14 in Vietnam's Lao Cai", FLOOD_EN)
    assert story_similarity(storm.signature, fair.signature) < SAME_STORY
    assert story_similarity(storm.signature, flood.signature) < SAME_STORY
    assert story_similarity(fair.signature, flood.signature) < SAME_STORY


def test_story_similarity_bounds() -> None:
    sig = frozenset({"p:Huế", "c:festival", "n:2025"})
    assert story_similarity(sig, sig) == 1.0
    assert story_similarity(sig, frozenset()) == 0.0
    assert 0.0 < story_similarity(sig, frozenset({"p:Huế", "c:storm"})) < 1.0


def test_no_two_different_items_of_the_development_set_are_near_duplicates() -> None:
    """The near-duplicate distance against real-world text: 60 short news items and posts
    on overlapping subjects (several on one province, festival or storm) stay well apart."""
    import itertools
    import json
    from pathlib import Path

    path = Path(__file__).parent / "data" / "press_dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    analysed = [analyse(r.get("title", ""), r.get("text", "")) for r in rows]
    distances = [
        hamming(a.simhash, b.simhash)
        for a, b in itertools.combinations(analysed, 2)
        if a.content_hash != b.content_hash
    ]
    assert len(distances) > 1500
    assert min(distances) > 2 * NEAR_DUP_BITS
