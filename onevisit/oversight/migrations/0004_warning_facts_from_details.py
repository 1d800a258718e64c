"""Warnings raised before the facts were recorded: read them back out of the English detail, so
that every warning is shown in the reader's language."""

import re

from django.db import migrations

PATTERNS = {
    "multi_headed": (
        r"(?P<visits>\d+) separate visits by (?P<bodies>\d+) bodies from (?P<first>\S+) "
        r"within (?P<days>\d+) days"
    ),
    "repeated": r"again after (?P<days>\d+) days \((?P<first>\S+) and (?P<second>\S+)\)",
    "over_cap": r"(?P<visits>\d+) visits in (?P<year>\d+), cap (?P<cap>\d+)",
    "without_code": r"entered on (?P<day>\S+) without a code registered beforehand",
    "low_evaluation": r"rated (?P<average>[\d.]+) of 5",
    "overdue_rect": r"rectification (?P<rectification>\d+) due (?P<deadline>\S+): (?P<problem>.*)",
}


def read_facts(apps, schema_editor):
    Warning = apps.get_model("oversight", "Warning")
    for warning in Warning.objects.filter(facts={}).iterator():
        pattern = PATTERNS.get(warning.kind)
        match = re.fullmatch(pattern, warning.detail, re.DOTALL) if pattern else None
        if match:
            warning.facts = match.groupdict()
            warning.save(update_fields=["facts"])


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_warning_facts")]

    operations = [migrations.RunPython(read_facts, migrations.RunPython.noop)]
