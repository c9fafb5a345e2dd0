"""PostgreSQL: rank from a stored search document instead of re-parsing every tip's text.

Frozen: the statements are written out here, so later changes to the search code never change
what this migration does.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

OLD_PG_INDEX = "tip_search_idx"
PG_CREATE = [
    "ALTER TABLE tips_tip ADD COLUMN IF NOT EXISTS search_document tsvector",
    "ALTER TABLE tips_tip ALTER COLUMN search_document SET STORAGE MAIN",
    "CREATE OR REPLACE FUNCTION tips_tip_search_document() RETURNS trigger LANGUAGE plpgsql AS "
    "$$\n"
    "    BEGIN\n"
    "        NEW.search_document := setweight(to_tsvector('english'::regconfig, "
    "coalesce(NEW.title, '')), 'A') || setweight(to_tsvector('english'::regconfig, "
    "coalesce(NEW.question, '')), 'B') || setweight(to_tsvector('english'::regconfig, "
    "coalesce(NEW.body, '')), 'C');\n"
    "        RETURN NEW;\n"
    "    END $$",
    "CREATE OR REPLACE TRIGGER tips_tip_search_document BEFORE INSERT OR UPDATE OF title, "
    "question, body\n"
    "    ON tips_tip FOR EACH ROW EXECUTE FUNCTION tips_tip_search_document()",
    "UPDATE tips_tip SET search_document = setweight(to_tsvector('english'::regconfig, "
    "coalesce(tips_tip.title, '')), 'A') || setweight(to_tsvector('english'::regconfig, "
    "coalesce(tips_tip.question, '')), 'B') || setweight(to_tsvector('english'::regconfig, "
    "coalesce(tips_tip.body, '')), 'C')",
    "CREATE INDEX IF NOT EXISTS tip_search_document_idx ON tips_tip USING gin (search_document)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS tip_search_document_idx",
    "DROP TRIGGER IF EXISTS tips_tip_search_document ON tips_tip",
    "DROP FUNCTION IF EXISTS tips_tip_search_document()",
    "ALTER TABLE tips_tip DROP COLUMN IF EXISTS search_document",
]


def adopt_stored_document(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_PG_INDEX}")
        for statement in PG_CREATE:
            schema_editor.execute(statement)


def restore_expression_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DROP:
            schema_editor.execute(statement)
        document = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("question", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
        schema_editor.add_index(
            apps.get_model("tips", "Tip"), GinIndex(document, name=OLD_PG_INDEX)
        )


class Migration(migrations.Migration):
    dependencies = [("tips", "0008_listing_indexes")]

    operations = [migrations.RunPython(adopt_stored_document, restore_expression_index)]
