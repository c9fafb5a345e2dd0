from django.db import migrations

from tips.editors import grant_editors


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0001_initial"),
        ("comments", "0002_editors_moderate_comments"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
