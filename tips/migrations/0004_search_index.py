from django.db import migrations

from tips import search_index


class Migration(migrations.Migration):
    dependencies = [("tips", "0003_tip_comment_count_tip_comments_closed")]

    operations = [migrations.RunPython(search_index.create, search_index.drop)]
