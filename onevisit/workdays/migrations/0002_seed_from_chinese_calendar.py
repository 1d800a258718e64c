"""Seed the holiday table from the chinese-calendar package; editable in the admin afterwards."""

from django.db import migrations


def seed(apps, schema_editor):
    from onevisit.workdays.seed import covered_years, special_days

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=day, is_workday=workday, name=name) for day, workday, name in special_days()],
        ignore_conflicts=True,
    )
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source="chinese-calendar") for year in covered_years()],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("workdays", "SpecialDay").objects.all().delete()
    apps.get_model("workdays", "CalendarYear").objects.filter(source="chinese-calendar").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_holiday_table")]
    operations = [migrations.RunPython(seed, unseed)]
