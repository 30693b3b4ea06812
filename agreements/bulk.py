"""Writing many rows of one kind at once, for the import of large agreements (issue 19).

Each helper costs a fixed number of queries whatever the number of rows (one per batch of
`BATCH` rows), so importing 20,000 clauses is a few dozen statements, not tens of thousands.
The audit trail is kept as a row-by-row save would keep it (django-simple-history's rows,
their many-to-many copies included).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone
from simple_history.models import HistoricalRecords

ModelT = TypeVar("ModelT", bound=models.Model)

#: Rows per INSERT or UPDATE statement of a bulk write (a bound on each statement's size).
BATCH = 2000


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` primary keys from the table's sequence, so rows can refer to each other before they exist.

    A clause names its parent and an action item its goal; with keys known beforehand, every
    new row is written in one bulk insert, in any order.
    """
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            # SQLite, the development default: one writer at a time (the import's transaction
            # holds the lock), so the keys after the highest ever given are free. The highest
            # ever given, not the highest in the table: a deleted row's key stays its history's.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            given = cursor.fetchone()
            top = max(given[0] if given else 0, model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
            return list(range(top + 1, top + n + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def differences(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """The fields (attribute names: `parent_id`, not `parent`) whose value the file changes."""
    return [name for name, value in values.items() if getattr(obj, name) != value]


def history_with_m2m(model: type[ModelT], objs: list[ModelT], *, new: set[int]) -> None:
    """History rows for `objs` with a copy of their many-to-many links, as simple-history keeps them.

    A bulk write skips simple-history's signals; each row gets its m2m snapshot here, in one
    query per relation.
    """
    if not objs:
        return
    history = model.history  # type: ignore[attr-defined]
    rows = []
    for update in (False, True):
        batch = [o for o in objs if (o.pk not in new) is update]
        if batch:
            rows += history.bulk_history_create(batch, batch_size=BATCH, update=update)
    tracked = HistoricalRecords.m2m_models
    for field in model._meta.many_to_many:
        m2m_history = tracked.get(field)
        if m2m_history is None:
            continue
        through: Any = field.remote_field.through  # the link table's model
        own = field.m2m_field_name()
        other = field.m2m_reverse_field_name()
        # simple-history copies every field of the link row, its own key included.
        links: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for link_id, own_id, other_id in through.objects.filter(
            **{f"{own}_id__in": [o.pk for o in objs]}
        ).values_list("pk", f"{own}_id", f"{other}_id"):
            links[own_id].append((link_id, other_id))
        m2m_history.objects.bulk_create(
            [
                m2m_history(history=row, id=link_id, **{f"{own}_id": row.id, f"{other}_id": other_id})
                for row in rows
                for link_id, other_id in links.get(row.id, [])
            ],
            batch_size=BATCH,
        )


def create_with_history(model: type[ModelT], objs: list[ModelT]) -> None:
    """Insert `objs` (their keys already reserved) and their "+" history rows, copied by the database.

    The history rows are what simple-history's `bulk_history_create` would make (every tracked
    field, the import's moment, the user of the request if any, no change reason), but written
    by one INSERT ... SELECT from the rows just inserted: no historical instance per row in
    Python, which was half of the CPU time and much of the memory of a large import.
    """
    if not objs:
        return
    model._default_manager.bulk_create(objs, batch_size=BATCH)
    copy_into_history(model, [o.pk for o in objs], "+")


def copy_into_history(model: type[models.Model], pks: list[int], history_type: str) -> None:
    """One history row of `history_type` for each row of `pks`, copied from the row by the database."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history: Any = model.history.model  # type: ignore[attr-defined]
    tracked = history.tracked_fields
    user = history.get_default_history_user(model())  # the request's user, or nobody
    qn = connection.ops.quote_name
    columns = [history._meta.get_field(f.name).column for f in tracked] + [
        history._meta.get_field(name).column
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    moment = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH):
            rows = (
                model._default_manager.filter(pk__in=pks[start : start + BATCH])
                .order_by("pk")
                .values_list(*(f.attname for f in tracked))
            )
            select, params = rows.query.sql_with_params()
            # Names are the models' own, quoted; every value is a parameter.
            into = f"{qn(history._meta.db_table)} ({', '.join(qn(c) for c in columns)})"
            sql = f"INSERT INTO {into} SELECT copied.*, %s, %s, %s, %s FROM ({select}) copied"  # noqa: S608
            cursor.execute(sql, [moment, "", history_type, user.pk if user else None, *params])
