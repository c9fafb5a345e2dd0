from django.db import migrations

from tips.editors import grant_editors


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial"), ("tips", "0002_editors_group")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
