from django.db import migrations

from tips import search_index


class Migration(migrations.Migration):
    """PostgreSQL: rank from a stored search document instead of re-parsing every tip's text."""

    dependencies = [("tips", "0008_listing_indexes")]

    operations = [
        migrations.RunPython(
            search_index.adopt_stored_document, search_index.restore_expression_index
        )
    ]
