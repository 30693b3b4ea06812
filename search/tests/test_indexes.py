"""Each kind's query is answered from its GIN index (migration 0001 froze the same expression)."""

import pytest
from django.db import connection

from agreements.models import Agreement
from search.documents import KINDS
from search.selectors import _Matcher

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_the_search_of_each_kind_uses_its_index(kind):
    records = kind.of_agreements(Agreement.objects.all())
    matching = _Matcher("wombat").matching(kind, records)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.order_by().explain()  # as the search runs it: counted and ranked unordered
    assert kind.index in plan
