from django.db import migrations

from tips.editors import sync_editors_group


def create_editors_group(apps, schema_editor):
    sync_editors_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, migrations.RunPython.noop)]
