"""Each kind's query is answered from its GIN index (migration 0001 froze the same expression)."""

import pytest
from django.db import connection

from search.documents import KINDS
from search.selectors import _Matcher

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_the_search_of_each_kind_uses_its_index(kind):
    # The kind's own rows, without the visibility join: on a near-empty test database the planner
    # may walk a join's foreign-key index instead; what is checked is that the search's expression
    # is the one the index holds (a drifted expression could never use it).
    matching = _Matcher("wombat").matching(kind, kind.model.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.order_by().explain()  # as the search runs it: counted and ranked unordered
    assert kind.index in plan
