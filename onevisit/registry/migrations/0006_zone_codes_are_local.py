"""The three 开发区 codes (371571-371573) are in no GB/T 2260 edition: they are the city's own."""

from django.db import migrations

ZONES = ["371571", "371572", "371573"]


def mark_local(apps, schema_editor):
    District = apps.get_model("registry", "District")
    District.objects.filter(code__in=ZONES, standard="统计用区划代码").update(standard="本地代码")


def unmark(apps, schema_editor):
    District = apps.get_model("registry", "District")
    District.objects.filter(code__in=ZONES, standard="本地代码").update(standard="统计用区划代码")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_verbose_names")]
    operations = [migrations.RunPython(mark_local, unmark)]
