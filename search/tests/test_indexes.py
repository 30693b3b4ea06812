"""Each kind's query is answered from the GIN index on its stored document (migration 0002), and
the stored document is the kind's `vector` after every kind of write."""

import pytest
from django.db import connection

from activities.models import ProgressUpdate
from activities.tests.factories import ProgressUpdateFactory
from search.documents import BY_KEY, KINDS
from search.selectors import _Matcher

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_the_search_of_each_kind_uses_its_index(kind):
    # The kind's own rows, without the visibility join: on a near-empty test database the planner
    # may walk a join's foreign-key index instead; what is checked is that the search reads the
    # stored column the index is built on.
    matching = _Matcher("wombat").matching(kind, kind.model.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.order_by().explain()  # as the search runs it: counted and ranked unordered
    assert kind.index in plan


def _stored_equals_vector(queryset) -> bool:
    kind = BY_KEY["update"]
    rows = queryset.annotate(stored=kind.document(), computed=kind.vector()).values_list("stored", "computed")
    return bool(rows) and all(stored == computed for stored, computed in rows)


def _found(text: str) -> set[int]:
    kind = BY_KEY["update"]
    return set(_Matcher(text).matching(kind, ProgressUpdate.objects.all()).values_list("pk", flat=True))


def test_a_saved_record_is_found_by_its_words():
    update = ProgressUpdateFactory(narrative="The wombat census is under way.")
    assert _found('"wombat census"') == {update.pk}
    assert _stored_equals_vector(ProgressUpdate.objects.filter(pk=update.pk))


def test_records_made_by_bulk_create_are_found():
    first = ProgressUpdateFactory()
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                commitment=first.commitment,
                as_of=first.as_of,
                status=first.status,
                percent_complete=60,
                narrative=f"Bulk wombat report {n}.",
                reporting_party=first.reporting_party,
                author=first.author,
            )
            for n in range(3)
        ]
    )
    assert len(_found('"bulk wombat"')) == 3
    assert _stored_equals_vector(ProgressUpdate.objects.all())


def test_a_queryset_update_moves_the_stored_document():
    update = ProgressUpdateFactory(narrative="Nothing of note.")
    ProgressUpdate.objects.filter(pk=update.pk).update(next_steps="Count the wombats.")
    assert _found("wombats") == {update.pk}
    assert _found("wombats") == _found("wombat")
    assert _stored_equals_vector(ProgressUpdate.objects.filter(pk=update.pk))


def test_a_write_in_plain_sql_moves_the_stored_document():
    update = ProgressUpdateFactory(narrative="Nothing of note.")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_progressupdate SET narrative = %s WHERE id = %s", ["Wombat survey.", update.pk]
        )
    assert _found("survey") == {update.pk}
    assert _found("note") == set()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_kinds_stored_document_is_its_vector(kind, moa):
    rows = kind.model.objects.annotate(stored=kind.document(), computed=kind.vector()).values_list(
        "stored", "computed"
    )
    assert all(stored == computed for stored, computed in rows)
