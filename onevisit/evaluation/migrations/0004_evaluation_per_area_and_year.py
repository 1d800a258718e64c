import django.db.models.deletion
from django.db import migrations, models


def area_of_the_lead_body(apps, schema_editor):
    Year = apps.get_model("evaluation", "Year")
    for year in Year.objects.select_related("lead_body"):
        year.area_id = year.lead_body.district_id
        year.save(update_fields=["area"])


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0003_electricity_check_and_result_summary"),
        ("registry", "0006_zone_codes_are_local"),
    ]

    operations = [
        migrations.AddField(
            model_name="year",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.district",
            ),
        ),
        migrations.RunPython(area_of_the_lead_body, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="year",
            name="area",
            field=models.ForeignKey(
                help_text="the lead department's city or county: its enterprises are evaluated",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.district",
                verbose_name="area evaluated",
            ),
        ),
        migrations.AlterField(
            model_name="year",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="year"),
        ),
        migrations.AlterModelOptions(
            name="year",
            options={
                "ordering": ["-year", "area"],
                "verbose_name": "evaluation year",
                "verbose_name_plural": "evaluation years",
            },
        ),
        migrations.AddConstraint(
            model_name="year",
            constraint=models.UniqueConstraint(
                fields=("year", "area"), name="one_evaluation_per_area_and_year"
            ),
        ),
    ]
