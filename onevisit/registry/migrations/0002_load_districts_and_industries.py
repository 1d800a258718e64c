"""Load the GB/T 2260 divisions of the city and the GB/T 4754-2017 sections and divisions."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    District = apps.get_model("registry", "District")
    Industry = apps.get_model("registry", "Industry")
    for row in _rows("districts.csv"):
        District.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "parent_id": row["parent"] or None,
                "kind": row["kind"],
                "standard": row["standard"],
            },
        )
    # The sections and divisions of the four-level table (registry/industries.py).
    for row in _rows("gbt4754_2017.csv"):
        if len(row["code"]) <= 2:
            Industry.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "section_id": row["parent"] or None},
            )


def unload(apps, schema_editor):
    District = apps.get_model("registry", "District")
    Industry = apps.get_model("registry", "Industry")
    Industry.objects.exclude(section=None).delete()
    Industry.objects.all().delete()
    District.objects.exclude(parent=None).delete()
    District.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_registry")]
    operations = [migrations.RunPython(load, unload)]
