"""PostgreSQL: index the words of each tip's title and question on their own.

Search ranks only a bounded set of candidates, among them the newest tips with a query's word
in a title or question. The weighted document's GIN index cannot tell where a word is (it holds
no weights), so finding them rechecked the document of every tip holding the word.

Frozen: the statements are written out here, so later changes to the search code never change
what this migration does.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS tip_title_document_idx ON tips_tip USING gin "
    "((to_tsvector('english'::regconfig, title || ' ' || question)))"
)
DROP = "DROP INDEX IF EXISTS tip_title_document_idx"


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tips", "0015_tip_category_index_with_votes")]

    operations = [migrations.RunPython(create_index, drop_index)]
