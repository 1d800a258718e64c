"""The seeded holidays carried chinese-calendar's English names; give them their Chinese ones."""

from django.db import migrations


def to_chinese(apps, schema_editor):
    from onevisit.workdays.seed import CHINESE_NAMES

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    for english, chinese in CHINESE_NAMES.items():
        SpecialDay.objects.filter(name=english).update(name=chinese)


def to_english(apps, schema_editor):
    from onevisit.workdays.seed import CHINESE_NAMES

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    for english, chinese in CHINESE_NAMES.items():
        SpecialDay.objects.filter(name=chinese).update(name=english)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_from_chinese_calendar")]

    operations = [migrations.RunPython(to_chinese, to_english)]
