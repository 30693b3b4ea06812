"""GIN indexes on the weighted documents search reads (search.documents), PostgreSQL only.

Each index is built on the same expression as its kind's `vector`, frozen here as migrations
freeze fields; `search.tests.test_indexes` checks every query still uses its index. SQLite
(the development default) has no full-text search and gets no index: search falls back to
icontains there.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import F, Func, Value

CONFIG = "english"


def _vector(*weighted):
    parts = [SearchVector(*fields, weight=weight, config=CONFIG) for weight, fields in weighted]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def _file_name_words(field):
    return Func(F(field), Value(r"[._\-]+"), Value(" "), Value("g"), function="regexp_replace")


INDEXES = [
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


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model_name, name, vector in INDEXES:
        schema_editor.add_index(apps.get_model(app, model_name), GinIndex(vector(), name=name))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model_name, name, vector in INDEXES:
        schema_editor.remove_index(apps.get_model(app, model_name), GinIndex(vector(), name=name))


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0008_lifecycle"),
        ("activities", "0009_evidence_withdrawal"),
        ("contacts", "0002_contact_version_for_concurrent_edits"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
