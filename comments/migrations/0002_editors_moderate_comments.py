from django.db import migrations

from tips.editors import sync_editors_group


def grant_comments(apps, schema_editor):
    sync_editors_group(apps)


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial"), ("tips", "0002_editors_group")]

    operations = [migrations.RunPython(grant_comments, migrations.RunPython.noop)]
