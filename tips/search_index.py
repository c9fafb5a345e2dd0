"""The database side of search: each engine's index, its SQLite triggers, and rebuilding it.

Migrations 0004, 0009 and 0014 carry their own copies of these statements, as they were then."""

from .search import (
    FTS_TABLE,
    PG_COLUMN,
    PG_CONFIG,
    PG_INDEX,
    PG_TITLE_DOCUMENT,
    PG_TITLE_INDEX,
)

FTS_COLUMNS = "rowid, title, question, body, category"
FTS_ROWS = (
    "SELECT t.id, t.title, t.question, t.body, c.name "
    "FROM tips_tip t JOIN tips_category c ON c.id = t.category_id"
)

SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, question, body, category, tokenize = 'porter unicode61 remove_diacritics 2')"
)
# Triggers keep the index in step with every write, bulk ones included. SQLite drops them when a
# migration rebuilds a table, so they live outside migrations: see TipsConfig.ready().
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON tips_tip BEGIN
        INSERT INTO {FTS_TABLE}({FTS_COLUMNS}) VALUES (new.id, new.title, new.question, new.body,
            (SELECT name FROM tips_category WHERE id = new.category_id));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON tips_tip BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
    AFTER UPDATE OF title, question, body, category_id ON tips_tip BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}({FTS_COLUMNS}) VALUES (new.id, new.title, new.question, new.body,
            (SELECT name FROM tips_category WHERE id = new.category_id));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_category AFTER UPDATE OF name ON tips_category
    BEGIN
        UPDATE {FTS_TABLE} SET category = new.name
        WHERE rowid IN (SELECT id FROM tips_tip WHERE category_id = new.id);
    END""",
]
SQLITE_DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{name}"
    for name in ("insert", "delete", "update", "category")
]

# PostgreSQL keeps each tip's weighted document in a column of its own, written by a trigger:
# ranking then reads it instead of parsing every matching tip's text again (an expression
# index made a common word many times slower). A trigger rather than a generated column, so
# later migrations may still change the text columns' types.
PG_FUNCTION = "tips_tip_search_document"
_PG_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({{row}}.{column}, '')), '{weight}')"
    for column, weight in (("title", "A"), ("question", "B"), ("body", "C"))
)
PG_CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON tips_tip USING gin ({PG_COLUMN})"
# An expression index: title and question are short, and the words in them are all it answers.
PG_CREATE_TITLE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {PG_TITLE_INDEX} ON tips_tip USING gin (({PG_TITLE_DOCUMENT}))"
)
PG_FILL = f"UPDATE tips_tip SET {PG_COLUMN} = {_PG_DOCUMENT.format(row='tips_tip')}"
PG_CREATE = [
    f"ALTER TABLE tips_tip ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector",
    # Kept in the row, not moved out to TOAST beside the long body: ranking reads it for every
    # match, and fetching it from TOAST made a common word several times slower.
    f"ALTER TABLE tips_tip ALTER COLUMN {PG_COLUMN} SET STORAGE MAIN",
    f"""CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.{PG_COLUMN} := {_PG_DOCUMENT.format(row="NEW")};
        RETURN NEW;
    END $$""",
    f"""CREATE OR REPLACE TRIGGER {PG_FUNCTION} BEFORE INSERT OR UPDATE OF title, question, body
    ON tips_tip FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()""",
    PG_FILL,
    PG_CREATE_INDEX,
    PG_CREATE_TITLE_INDEX,
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {PG_TITLE_INDEX}",
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"DROP TRIGGER IF EXISTS {PG_FUNCTION} ON tips_tip",
    f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()",
    f"ALTER TABLE tips_tip DROP COLUMN IF EXISTS {PG_COLUMN}",
]


def detach(connection) -> None:
    """Before migrating (SQLite): remove the triggers, so table rebuilds can run."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in SQLITE_DROP_TRIGGERS:
                cursor.execute(statement)


def attach(connection) -> None:
    """After migrating (SQLite): put the triggers back and refill the index from the tips."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cursor.fetchone() is None:
            return  # migrated backwards past the index
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
    rebuild(connection)


def rebuild(connection) -> None:
    """Refill the index from the tips table (after a restore, or to be sure)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_COLUMNS}) {FTS_ROWS}")
        elif connection.vendor == "postgresql":
            cursor.execute(PG_FILL)
            cursor.execute(f"REINDEX INDEX {PG_INDEX}")
