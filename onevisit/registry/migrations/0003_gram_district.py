"""Copy each enterprise's district onto its bigram rows, for the fragment-in-district search."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    connection = schema_editor.connection
    gram = connection.ops.quote_name("registry_enterprisegram")
    enterprise = connection.ops.quote_name("registry_enterprise")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {gram} SET district_id = (SELECT e.district_id FROM {enterprise} e "
            f"WHERE e.id = {gram}.enterprise_id)"
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_load_districts_and_industries")]

    operations = [
        migrations.AddField(
            model_name="enterprisegram",
            name="district",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.district",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="enterprisegram",
            name="district",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registry.district",
            ),
        ),
        migrations.AddIndex(
            model_name="enterprisegram",
            index=models.Index(
                fields=["gram", "district", "enterprise"], name="enterprisegram_gram_district"
            ),
        ),
    ]
