"""Ship the field's usual KPI definitions and the dated legal parameters as data.

Both stay editable afterwards; re-running only adds codes that are missing.
"""

import datetime as dt
import json
from importlib import resources

from django.db import migrations


def _load(name):
    return json.loads((resources.files("ttdn.reporting") / "data" / name).read_text("utf-8"))


def forwards(apps, schema_editor):
    KpiDefinition = apps.get_model("reporting", "KpiDefinition")
    LegalParameter = apps.get_model("reporting", "LegalParameter")
    for row in _load("kpis.json"):
        KpiDefinition.objects.get_or_create(code=row["code"], defaults=row)
    for row in _load("legal_parameters.json"):
        dates = {
            k: dt.date.fromisoformat(row[k]) if row.get(k) else None
            for k in ("valid_from", "valid_to")
        }
        if not LegalParameter.objects.filter(code=row["code"], **dates).exists():
            LegalParameter.objects.create(**{**row, **dates})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
