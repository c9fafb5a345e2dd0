"""Once gave the Editors group its permissions on this app's models. The group is now kept in
step after every ``migrate`` from one list (``tips.editors``, run by ``tips.apps``), as Django
keeps permissions themselves, so this migration carries nothing that later code could change."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
