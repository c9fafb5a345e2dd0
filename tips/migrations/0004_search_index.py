"""The search index: an FTS5 table on SQLite, a GIN expression index on PostgreSQL.

Frozen: the statements are written out here, as they were, so that later changes to the search
code never change what this migration does. SQLite's triggers are kept outside migrations
(``tips.apps``), because SQLite drops them whenever a migration rebuilds the table.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS tips_tip_fts USING fts5("
    "title, question, body, category, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS tips_tip_fts_insert",
    "DROP TRIGGER IF EXISTS tips_tip_fts_delete",
    "DROP TRIGGER IF EXISTS tips_tip_fts_update",
    "DROP TRIGGER IF EXISTS tips_tip_fts_category",
]
PG_INDEX = "tip_search_idx"


def expression_index() -> GinIndex:
    document = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("question", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    return GinIndex(document, name=PG_INDEX)


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("tips", "Tip"), expression_index())


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP_TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute("DROP TABLE IF EXISTS tips_tip_fts")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("tips", "0003_tip_comment_count_tip_comments_closed")]

    operations = [migrations.RunPython(create, drop)]
