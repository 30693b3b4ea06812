"""Each kind's weighted document stored in a generated column (`search_document`), GIN-indexed.

Migration 0001 indexed the expression itself: a query found its candidates in the index, but
PostgreSQL then recomputed `to_tsvector` of every candidate to check it (always for a phrase:
the index holds no word positions) and again to rank it, which made a quoted phrase of common
words cost a third of a second. A stored generated column is computed by PostgreSQL on every
INSERT and UPDATE, whatever wrote the row (a form, the API, `bulk_create`, `QuerySet.update`,
the bench's COPY, plain SQL), so it cannot go stale; no model names it (search sits above the
apps that own these tables), and Django never writes it. The expression is the same as the
kind's `vector` (search.documents), frozen here as in 0001, and compiled by Django so the
words match the query's. PostgreSQL only: SQLite has no full-text search (search falls back
to icontains there).

Adding the column rewrites each table (the progress updates are the large one: about a
minute for 500,000 rows on the bench machine under load) and takes its statistics, so each
table is analysed afterwards: run it in a maintenance window on a large database.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import F, Func, Value

CONFIG = "english"
COLUMN = "search_document"


def _vector(*weighted):
    parts = [SearchVector(*fields, weight=weight, config=CONFIG) for weight, fields in weighted]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def _file_name_words(field):
    return Func(F(field), Value(r"[._\-]+"), Value(" "), Value("g"), function="regexp_replace")


# (app, model, index, the document's expression): as 0001, whose expression indexes these replace.
DOCUMENTS = [
    ("agreements", "Commitment", "search_commitment_idx", lambda: _vector(("A", ("code", "title")), ("B", ("description",)))),
    ("agreements", "Section", "search_section_idx", lambda: _vector(("A", ("number", "heading")), ("B", ("text",)))),
    ("activities", "ProgressUpdate", "search_update_idx", lambda: _vector(("B", ("narrative",)), ("C", ("next_steps",)))),
    (
        "activities",
        "Meeting",
        "search_meeting_idx",
        lambda: _vector(("A", ("title",)), ("B", ("agenda", "minutes", "decisions")), ("C", ("location",))),
    ),
    (
        "activities",
        "OutreachEvent",
        "search_event_idx",
        lambda: _vector(("A", ("title",)), ("B", ("outcomes",)), ("C", ("city", "country"))),
    ),
    (
        "contacts",
        "PointOfContact",
        "search_contact_idx",
        lambda: _vector(("A", ("person_name", "role_title")), ("B", ("office", "email"))),
    ),
    (
        "activities",
        "Evidence",
        "search_evidence_idx",
        lambda: SearchVector(_file_name_words("original_name"), weight="A", config=CONFIG),
    ),
]


def _expression_sql(model, vector, schema_editor) -> str:
    """The expression as SQL over the row's own columns (no table name), its values inlined."""
    connection = schema_editor.connection
    query = model._base_manager.annotate(document=vector()).values("document").query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["document"])
    sql = sql.replace(f"{schema_editor.quote_name(model._meta.db_table)}.", "")
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def store_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    for app, model_name, index, vector in DOCUMENTS:
        model = apps.get_model(app, model_name)
        table = qn(model._meta.db_table)
        expression = _expression_sql(model, vector, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {qn(index)}")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {qn(COLUMN)} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {qn(index)} ON {table} USING gin ({qn(COLUMN)})")
        # The rewrite left the table without statistics: until autovacuum came by, the planner
        # would guess, and it guessed a plan five times slower for the progress updates.
        schema_editor.execute(f"ANALYZE {table}")


def index_expressions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    for app, model_name, index, vector in DOCUMENTS:
        model = apps.get_model(app, model_name)
        schema_editor.execute(f"DROP INDEX IF EXISTS {qn(index)}")
        schema_editor.execute(f"ALTER TABLE {qn(model._meta.db_table)} DROP COLUMN IF EXISTS {qn(COLUMN)}")
        schema_editor.add_index(model, GinIndex(vector(), name=index))


class Migration(migrations.Migration):
    dependencies = [("search", "0001_full_text_indexes")]

    operations = [migrations.RunPython(store_documents, index_expressions)]
