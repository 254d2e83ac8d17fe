"""Alert rules on items: what each kind of rule matches, who it covers, and that an item
alerts a rule once."""

from __future__ import annotations

import pytest

from tests.factories import make_org
from tests.monitoring.test_views import make_item, make_source
from ttdn.monitoring import alerts
from ttdn.monitoring.models import Alert, AlertRule
from ttdn.reporting.models import Notification


@pytest.fixture
def world(db):
    province = make_org("Tỉnh Thử Cảnh Báo", "province", code="95")
    other = make_org("Tỉnh Khác Cảnh Báo", "province", code="94")
    return {
        "province": province,
        "other": other,
        "source": make_source(province, "Báo tỉnh"),
        "other_source": make_source(other, "Báo tỉnh khác"),
    }


def rule(owner, kind, **fields):
    return AlertRule.objects.create(
        owner=owner, name=f"Quy tắc {kind}", kind=kind, email=False, **fields
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nước sông dâng cao làm vỡ đê ở xã ven sông.", True),
        ("Nuoc song dang cao lam VO DE o xa ven song.", True),  # typed without diacritics
        ("Người dân lo đê bao có thể vỡ.", False),  # the words, not in that order
        ("Bờ kè bị vỡ\nđê bao bị sạt lở.", True),  # over a line break
        ("Tin về vỡ đêm qua.", False),  # a longer word is not the keyword
    ],
)
def test_a_keyword_rule_matches_the_words_whatever_the_accents_and_spacing(world, text, expected):
    r = rule(world["province"], AlertRule.Kind.KEYWORD, keyword="vỡ đê")
    item = make_item(world["source"], "Tin địa phương", text=text)
    assert alerts.rule_matches(r, item) is expected


def test_topic_sentiment_and_province_conditions(world):
    src = world["source"]
    flood = make_item(src, "Lũ", topics=("T5",), provinces=("Tuyên Quang",), sentiment="negative")
    fair = make_item(src, "Hội chợ", topics=("T3",), provinces=("Hà Nội",), sentiment="positive")
    topic = rule(world["province"], AlertRule.Kind.TOPIC, topic="T5")
    negative = rule(world["province"], AlertRule.Kind.SENTIMENT)
    elsewhere = rule(world["province"], AlertRule.Kind.SENTIMENT, province="Hà Nội")
    assert [alerts.rule_matches(topic, i) for i in (flood, fair)] == [True, False]
    assert [alerts.rule_matches(negative, i) for i in (flood, fair)] == [True, False]
    assert [alerts.rule_matches(elsewhere, i) for i in (flood, fair)] == [False, False]


def test_items_alert_the_rules_that_cover_their_source_once_and_never_for_duplicates(world):
    mine = rule(world["province"], AlertRule.Kind.KEYWORD, keyword="sạt lở")
    original = make_item(world["source"], "Sạt lở ở xã A", text="Sạt lở nghiêm trọng.")
    repost = make_item(
        world["source"], "Đăng lại", text="Sạt lở nghiêm trọng.", duplicate_of=original
    )
    outside = make_item(world["other_source"], "Sạt lở ở tỉnh khác", text="Sạt lở.")
    matches = alerts.match_items([original, repost, outside])
    assert matches == [(mine, original)]  # nothing written yet
    assert Alert.objects.count() == 0
    assert alerts.create_alerts(matches) == 1
    assert alerts.evaluate_items([original, repost, outside]) == 0  # already alerted
    alert = Alert.objects.get()
    assert (alert.rule, alert.item) == (mine, original)
    assert (
        not Notification.objects.filter(kind=Notification.Kind.PRESS)
        .exclude(message=alert.message)
        .exists()
    )
