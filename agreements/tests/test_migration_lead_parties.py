"""Migration 0004: existing parties are keyed by their acronym, and each item's single lead (or
joint) becomes its set of lead parties, so nothing anyone sees changes."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agreements", "0003_history_of_users")]
AFTER = [("agreements", "0004_term_rules_party_keys_lead_parties")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_keys_and_lead_parties_come_from_the_single_lead():
    old = migrate(BEFORE)
    Party, Agreement = old.get_model("agreements", "Party"), old.get_model("agreements", "Agreement")
    Section, Commitment = old.get_model("agreements", "Section"), old.get_model("agreements", "Commitment")
    abc = Party.objects.create(acronym="ABC", name="Agency ABC")
    xyz = Party.objects.create(acronym="XYZ", name="Agency XYZ")
    pact = Agreement.objects.create(
        slug="pact", short_name="Pact", title="Pact", executed_on=datetime.date(2020, 1, 1)
    )
    pact.parties.set([abc, xyz])
    clause = Section.objects.create(agreement=pact, number="1", position=1)
    Commitment.objects.create(
        agreement=pact, kind="objective", code="A", title="A", source_section=clause, lead_party=abc
    )
    Commitment.objects.create(agreement=pact, kind="objective", code="J", title="J", source_section=clause)
    try:
        new = migrate(AFTER)
        Party, Commitment = new.get_model("agreements", "Party"), new.get_model("agreements", "Commitment")
        assert dict(Party.objects.values_list("acronym", "key")) == {"ABC": "ABC", "XYZ": "XYZ"}
        leads = {c.code: {p.acronym for p in c.lead_parties.all()} for c in Commitment.objects.all()}
        assert leads == {"A": {"ABC"}, "J": {"ABC", "XYZ"}}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
