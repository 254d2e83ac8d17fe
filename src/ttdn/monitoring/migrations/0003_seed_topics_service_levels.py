"""The default topic taxonomy (DOMAIN.md codes and their keywords) and case service
levels, as data that users then edit. Later changes to the shipped files do not overwrite
what users edited; ``ttdn monitor topics --reset`` reloads them on purpose."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

SERVICE_LEVELS = [
    # step (the status the case waits in), hours allowed
    ("open", 4),
    ("assigned", 24),
    ("in_review", 8),
    ("approved", 8),
    ("published", 72),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("monitoring", "Topic")
    ServiceLevel = apps.get_model("monitoring", "ServiceLevel")
    records = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    if isinstance(records, dict):
        records = records.get("topics", [])
    for order, rec in enumerate(records):
        extra = {
            k: v for k, v in rec.items() if k not in {"code", "name_vi", "name_en", "keywords"}
        }
        Topic.objects.get_or_create(
            code=rec["code"],
            defaults={
                "name_vi": rec.get("name_vi", rec["code"]),
                "name_en": rec.get("name_en", ""),
                "keywords": rec.get("keywords", {}),
                "extra": extra,
                "order": order,
            },
        )
    for step, hours in SERVICE_LEVELS:
        ServiceLevel.objects.get_or_create(
            step=step,
            valid_from=dt.date(2025, 7, 1),
            defaults={
                "hours": hours,
                "note": "Mặc định của nền tảng; điều chỉnh theo quy chế phát ngôn của tỉnh",
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Topic").objects.all().delete()
    apps.get_model("monitoring", "ServiceLevel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_search_index")]
    operations = [migrations.RunPython(seed, unseed)]
