"""The press search index (docs/adr/0007-press-search.md), outside Django's models because
its structures differ by engine; ``ttdn.monitoring.search`` reads and writes them.

SQLite: ``monitoring_search_doc`` (what is indexed, keyed by ``Item.sort_key``; its rows
cascade when items are deleted) and ``monitoring_search_fts``, an external-content FTS5
table over it that triggers keep in step. PostgreSQL: ``monitoring_search_doc`` with a
tsvector and a GIN index; triggers on ``monitoring_item`` drop the documents of deleted
or truncated items (not a foreign key: Django's test flush truncates model tables only).
"""

from django.db import migrations

SQLITE = [
    """CREATE TABLE monitoring_search_doc (
        sort_key INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL UNIQUE REFERENCES monitoring_item (id) ON DELETE CASCADE,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        exact TEXT NOT NULL DEFAULT '',
        facets TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE VIRTUAL TABLE monitoring_search_fts USING fts5(
        title, body, exact, facets,
        content='monitoring_search_doc', content_rowid='sort_key',
        tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
    )""",
    """CREATE TRIGGER monitoring_search_doc_ai AFTER INSERT ON monitoring_search_doc BEGIN
        INSERT INTO monitoring_search_fts (rowid, title, body, exact, facets)
        VALUES (new.sort_key, new.title, new.body, new.exact, new.facets);
    END""",
    """CREATE TRIGGER monitoring_search_doc_ad AFTER DELETE ON monitoring_search_doc BEGIN
        INSERT INTO monitoring_search_fts
            (monitoring_search_fts, rowid, title, body, exact, facets)
        VALUES ('delete', old.sort_key, old.title, old.body, old.exact, old.facets);
    END""",
    """CREATE TRIGGER monitoring_search_doc_au AFTER UPDATE ON monitoring_search_doc BEGIN
        INSERT INTO monitoring_search_fts
            (monitoring_search_fts, rowid, title, body, exact, facets)
        VALUES ('delete', old.sort_key, old.title, old.body, old.exact, old.facets);
        INSERT INTO monitoring_search_fts (rowid, title, body, exact, facets)
        VALUES (new.sort_key, new.title, new.body, new.exact, new.facets);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS monitoring_search_doc_au",
    "DROP TRIGGER IF EXISTS monitoring_search_doc_ad",
    "DROP TRIGGER IF EXISTS monitoring_search_doc_ai",
    "DROP TABLE IF EXISTS monitoring_search_fts",
    "DROP TABLE IF EXISTS monitoring_search_doc",
]

POSTGRES = [
    """CREATE TABLE monitoring_search_doc (
        sort_key bigint PRIMARY KEY,
        item_id bigint NOT NULL UNIQUE,
        doc tsvector NOT NULL
    )""",
    "CREATE INDEX monitoring_search_doc_doc ON monitoring_search_doc USING gin (doc)",
    """CREATE FUNCTION monitoring_search_doc_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM monitoring_search_doc d USING old_items o WHERE d.item_id = o.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER monitoring_search_doc_forget AFTER DELETE ON monitoring_item
        REFERENCING OLD TABLE AS old_items
        FOR EACH STATEMENT EXECUTE FUNCTION monitoring_search_doc_forget()""",
    """CREATE FUNCTION monitoring_search_doc_forget_all() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM monitoring_search_doc;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER monitoring_search_doc_forget_all AFTER TRUNCATE ON monitoring_item
        FOR EACH STATEMENT EXECUTE FUNCTION monitoring_search_doc_forget_all()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS monitoring_search_doc_forget_all ON monitoring_item",
    "DROP TRIGGER IF EXISTS monitoring_search_doc_forget ON monitoring_item",
    "DROP FUNCTION IF EXISTS monitoring_search_doc_forget_all()",
    "DROP FUNCTION IF EXISTS monitoring_search_doc_forget()",
    "DROP TABLE IF EXISTS monitoring_search_doc",
]

STATEMENTS = {"sqlite": (SQLITE, SQLITE_DROP), "postgresql": (POSTGRES, POSTGRES_DROP)}


def _run(schema_editor, forward):
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"press search supports SQLite and PostgreSQL, not {vendor}")
    for sql in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(sql, params=None)


def create(apps, schema_editor):
    _run(schema_editor, forward=True)


def drop(apps, schema_editor):
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
