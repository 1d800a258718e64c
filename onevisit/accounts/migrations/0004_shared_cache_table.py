"""The table of the database cache, which keeps the request limits and single-use form tokens
shared between server processes (a no-op when the cache is Redis)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_verbose_names")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
