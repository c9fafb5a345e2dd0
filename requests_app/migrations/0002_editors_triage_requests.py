"""Once gave the Editors group its permissions on this app's models. The group is now kept in
step after every ``migrate`` from one list (``tips.editors``, run by ``tips.apps``), as Django
keeps permissions themselves, so this migration carries nothing that later code could change."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0001_initial"),
        ("comments", "0002_editors_moderate_comments"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
