"""Large agreements (issue 19): the generated file, its import in bulk, and the text in parts.

The import writes clauses, items and obligations in bulk (agreements/bulk.py): the tests check
it is as correct as a row-by-row import (counts, parents, order, history with its m2m copies),
still all or nothing, and that its query count does not grow with the clauses. The agreement
page shows a long text as a table of contents (a fixed number of queries, whatever its length)
and each part on pages of its own, seen only by who may see the agreement.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import tracemalloc
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.db import DataError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.agreement_file import AgreementFileError, read_agreement
from agreements.agreement_file.reading import load_yaml
from agreements.models import Agreement, Commitment, Section
from agreements.obligations import Obligation
from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.selectors import ITEMS_SHOWN
from agreements.services import import_agreement
from agreements.tests.factories import PartyFactory, UserFactory
from bench.large_agreement import large_agreement

pytestmark = pytest.mark.django_db

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write(data: dict, tmp_path: Path, name: str = "large.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _import(n: int, tmp_path: Path, **kwargs) -> Agreement:
    path = _write(large_agreement(n, **kwargs), tmp_path, f"large-{n}.yaml")
    return import_agreement(doc=read_agreement(path)).agreement


def _viewer(agreement: Agreement, role: str = MANAGER, name: str = "large.viewer"):
    party = agreement.parties.get(acronym="NSA")
    return UserFactory(username=name, party=party, roles=[role])


# --- the generated file ----------------------------------------------------------------------


def test_the_generated_file_is_the_same_on_every_run():
    assert yaml.dump(large_agreement(2000), Dumper=Dumper) == yaml.dump(large_agreement(2000), Dumper=Dumper)


def test_the_generated_file_has_the_clauses_asked_for_nested_with_items_in_proportion(tmp_path):
    doc = read_agreement(_write(large_agreement(2000), tmp_path))
    assert len(doc.sections) == 2000
    assert {s.number.count(".") for s in doc.sections} == {0, 1, 2}
    assert len(doc.commitments) == 100
    assert len(doc.obligations) == 10


def test_the_generate_large_agreement_command_writes_a_readable_file(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "large.yaml"
    call_command("generate_large_agreement", "--clauses", "500", "--out", str(out), stdout=StringIO())
    assert len(read_agreement(out).sections) == 500


def test_the_file_as_json_reads_as_the_same_agreement_as_the_yaml(tmp_path):
    from django.core.management import call_command

    for name in ("large.yaml", "large.json"):
        call_command(
            "generate_large_agreement", "--clauses", "300", "--out", str(tmp_path / name), stdout=StringIO()
        )
    from_json, from_yaml = read_agreement(tmp_path / "large.json"), read_agreement(tmp_path / "large.yaml")
    assert dataclasses.replace(from_json, path=from_yaml.path) == from_yaml


def test_a_json_file_refuses_a_clause_number_written_as_a_number(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps(large_agreement(300), default=str).replace('"number": "A1"', '"number": 9.10', 1)
    )
    with pytest.raises(
        AgreementFileError, match=r"sections\[0\]\.number: 9\.10 is read by YAML as the number 9\.1"
    ):
        read_agreement(path)


# --- reading in parts ---------------------------------------------------------------------------


def _whole(path: Path):
    """The file as PyYAML reads a whole document, numbers keeping their text (the reader's loader)."""
    from agreements.agreement_file.reading import _TextKeepingLoader

    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TextKeepingLoader)  # noqa: S506


@pytest.mark.parametrize(
    "text",
    [
        # an anchor in one clause, its alias in a later one and outside the list
        "sections:\n  - &a {number: &n '1', text: x}\n  - number: '2'\n    parent: *n\n"
        "  - *a\nterm: {section: *n}\n",
        # a merge key inside a clause and at the top of the file
        "base: &b {heading: H}\nsections:\n  - <<: *b\n    number: 9.10\n<<: {schema: x}\n",
        # a key given twice (the last one counts), numbers as written, a list in a list
        "schema: a\nschema: b\nsections: [[1, 010], {number: 1.50}]\n",
        # a tagged mapping at the top, empty values, an empty file
        "!!map {a: 1}\n",
        "empty: []\nnothing:\n",
        "",
    ],
)
def test_a_file_read_in_parts_reads_as_the_whole_document_reads(text, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    assert repr(load_yaml(path)) == repr(_whole(path))


def test_a_file_of_two_documents_is_still_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("schema: a\n---\nschema: b\n", encoding="utf-8")
    with pytest.raises(AgreementFileError, match="expected a single document"):
        load_yaml(path)


def test_reading_a_large_file_holds_its_values_not_the_yaml_nodes_of_every_clause(tmp_path):
    """The nodes of one clause at a time: the whole file's nodes were five times its values."""
    path = _write(large_agreement(2000), tmp_path)
    tracemalloc.start()
    try:
        data = load_yaml(path)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data["sections"]) == 2000
    assert peak < 3 * kept  # the values, and the file's text while it is read


# --- the import ----------------------------------------------------------------------------------


def test_a_2000_clause_import_stores_every_clause_with_its_parent_and_order(tmp_path):
    data = large_agreement(2000)
    agreement = _import(2000, tmp_path)
    stored = list(agreement.sections.order_by("position").values_list("number", "parent__number", "position"))
    assert stored == [(s["number"], s["parent"], i) for i, s in enumerate(data["sections"], start=1)]
    texts = dict(agreement.sections.values_list("number", "text"))
    assert all(texts[s["number"]] == s["text"] for s in data["sections"])


def test_a_2000_clause_import_keeps_one_history_row_per_clause(tmp_path):
    agreement = _import(2000, tmp_path)
    history = Section.history.filter(agreement_id=agreement.pk)
    assert history.count() == 2000
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    assert set(history.values_list("id", flat=True)) == set(agreement.sections.values_list("pk", flat=True))


def test_a_clauses_history_row_is_a_copy_of_the_clause_as_imported(tmp_path):
    agreement = _import(400, tmp_path)
    fields = ("id", "agreement_id", "number", "heading", "text", "parent_id", "position", "version")
    history = Section.history.filter(agreement_id=agreement.pk)
    assert sorted(history.values_list(*fields)) == sorted(agreement.sections.values_list(*fields))
    assert set(history.values_list("history_change_reason", "history_user")) == {("", None)}


def test_a_2000_clause_import_stores_items_with_their_clause_goal_and_leads(tmp_path):
    data = large_agreement(2000)
    agreement = _import(2000, tmp_path)
    items = {
        c.code: c for c in Commitment.objects.filter(agreement=agreement).select_related("source_section")
    }
    assert len(items) == 100
    for kind in ("objectives", "joint_activities", "strategic_goals", "action_items"):
        for spec in data[kind]:
            item = items[spec["code"]]
            assert item.source_section.number == spec["section"]
            assert (item.goal.code if item.goal else None) == spec.get("goal")
            leads = {p.acronym for p in item.lead_parties.all()}
            assert leads == ({"NSA", "RBA"} if spec["leads"] == "all" else set(spec["leads"]))


def test_an_imported_items_history_row_carries_its_lead_parties(tmp_path):
    agreement = _import(400, tmp_path)
    goal = Commitment.objects.get(agreement=agreement, code="C3")  # a strategic goal led by NSA
    rows = list(goal.history.all())
    assert [r.history_type for r in rows] == ["+"]
    assert [link.party.acronym for link in rows[0].lead_parties.all()] == ["NSA"]


def test_a_2000_clause_import_stores_the_obligations_and_who_owes_them(tmp_path):
    agreement = _import(2000, tmp_path)
    obligations = Obligation.objects.filter(agreement=agreement)
    assert obligations.count() == 10
    assert all({p.acronym for p in o.parties.all()} == {"NSA", "RBA"} for o in obligations)
    assert Obligation.history.filter(agreement_id=agreement.pk).count() == 10


def test_a_re_import_of_a_large_file_changes_nothing(tmp_path):
    path = _write(large_agreement(2000), tmp_path)
    import_agreement(doc=read_agreement(path))
    again = import_agreement(doc=read_agreement(path))
    assert not again.changed
    assert Section.history.filter(agreement_id=again.agreement.pk).count() == 2000


def test_a_re_import_updates_the_clauses_and_items_that_changed_in_bulk(tmp_path):
    data = large_agreement(400)
    import_agreement(doc=read_agreement(_write(data, tmp_path, "a.yaml")))
    changed = copy.deepcopy(data)
    changed["sections"][10]["text"] = "A new text."
    changed["objectives"][0]["leads"] = ["RBA"]
    result = import_agreement(doc=read_agreement(_write(changed, tmp_path, "b.yaml")))
    assert (result.updated["clauses"], result.updated["lead parties"]) == (1, 1)
    clause = Section.objects.get(agreement=result.agreement, number=changed["sections"][10]["number"])
    assert clause.text == "A new text."
    assert [r.history_type for r in clause.history.all()] == ["~", "+"]
    item = Commitment.objects.get(agreement=result.agreement, code=changed["objectives"][0]["code"])
    assert [p.acronym for p in item.lead_parties.all()] == ["RBA"]
    assert [link.party.acronym for link in item.history.first().lead_parties.all()] == ["RBA"]


def test_a_refusal_in_clause_1999_saves_nothing(tmp_path):
    data = large_agreement(2000)
    data["sections"][1998]["parent"] = "NO-SUCH-CLAUSE"
    with pytest.raises(AgreementFileError, match=r"sections\[1998\]\.parent"):
        import_agreement(doc=read_agreement(_write(data, tmp_path)))
    assert not Agreement.objects.filter(slug="large-2000").exists()


def test_a_database_refusal_at_clause_1999_saves_nothing(tmp_path):
    data = large_agreement(2000)
    data["sections"][1998]["heading"] = "H" * 201  # over the column's 200 characters
    with pytest.raises(DataError):
        import_agreement(doc=read_agreement(_write(data, tmp_path)))
    assert not Agreement.objects.filter(slug="large-2000").exists()
    assert not Section.objects.exists()
    assert not Section.history.exists()
    assert not Commitment.history.exists()


#: The import's queries: the agreement, parties, terms and the few records of each kind the file
#: has in a fixed number (signatories, contacts), plus a fixed number per kind of bulk write
#: (76 at 300 and at 2,000 clauses when written; one batch is 2,000 rows).
IMPORT_QUERIES = 80


@pytest.mark.parametrize("n", [300, 2000])
def test_the_import_makes_the_same_bounded_number_of_queries_at_any_size(
    n, tmp_path, django_assert_max_num_queries
):
    doc = read_agreement(_write(large_agreement(n), tmp_path))
    with django_assert_max_num_queries(IMPORT_QUERIES):
        import_agreement(doc=doc)


@pytest.mark.parametrize("n", [300, 2000])
def test_a_re_import_makes_the_same_bounded_number_of_queries_at_any_size(
    n, tmp_path, django_assert_max_num_queries
):
    doc = read_agreement(_write(large_agreement(n), tmp_path))
    import_agreement(doc=doc)
    with django_assert_max_num_queries(IMPORT_QUERIES):
        import_agreement(doc=doc)


# --- the page --------------------------------------------------------------------------------


def _queries(client, url: str) -> tuple[int, str]:
    from django.db import connection

    client.get(url)  # warm: the session, the user's party
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_long_texts_page_makes_as_many_queries_at_2000_clauses_as_at_400(client, tmp_path, settings):
    settings.AGREEMENT_TEXT_PAGE_CLAUSES = 300
    small, large = _import(400, tmp_path, slug="large-a"), _import(2000, tmp_path, slug="large-b")
    client.force_login(_viewer(small))
    n_small, _ = _queries(client, small.get_absolute_url())
    UserFactory(username="large.viewer", party=large.parties.get(acronym="NSA"))
    n_large, page = _queries(client, large.get_absolute_url())
    assert n_small == n_large
    assert 'id="clause-' not in page  # the clauses are on the pages of the parts


def test_a_long_texts_page_shows_its_table_of_contents_with_each_parts_size(client, tmp_path, settings):
    settings.AGREEMENT_TEXT_PAGE_CLAUSES = 300
    agreement = _import(2000, tmp_path)
    client.force_login(_viewer(agreement))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "2000 clauses in 20 parts" in page
    first = agreement.sections.get(number="A1")
    assert reverse("agreements:text_part", args=[agreement.slug, first.pk]) in page
    assert "100 clauses" in page


def test_a_part_of_a_long_text_shows_its_clauses_in_order(client, tmp_path, settings):
    settings.AGREEMENT_TEXT_PAGE_CLAUSES = 300
    agreement = _import(2000, tmp_path)
    client.force_login(_viewer(agreement))
    top = agreement.sections.get(number="A2")
    page = client.get(reverse("agreements:text_part", args=[agreement.slug, top.pk])).content.decode()
    numbers = list(
        agreement.sections.filter(number__startswith="A2.")
        .order_by("position")
        .values_list("number", flat=True)
    )
    positions = [page.index(f'id="clause-{n.replace(".", "-")}"') for n in ["A2", *numbers]]
    assert positions == sorted(positions)
    assert 'id="clause-A3"' not in page


def test_a_part_longer_than_a_page_is_paged_and_a_clause_link_finds_its_page(client, tmp_path, settings):
    settings.AGREEMENT_TEXT_PAGE_CLAUSES = 40
    agreement = _import(2000, tmp_path)
    client.force_login(_viewer(agreement))
    top = agreement.sections.get(number="A1")
    url = reverse("agreements:text_part", args=[agreement.slug, top.pk])
    first = client.get(url).content.decode()
    assert "Clauses 1 to 40 of 100" in first and 'href="?page=3"' in first
    last = agreement.sections.filter(parent__parent=top).order_by("-position").first()
    response = client.get(last.get_absolute_url())
    assert response.url == f"{url}?page=3#{last.anchor}"
    assert f'id="{last.anchor}"' in client.get(f"{url}?page=3").content.decode()


def test_a_parts_page_makes_as_many_queries_at_2000_clauses_as_at_400(client, tmp_path, settings):
    settings.AGREEMENT_TEXT_PAGE_CLAUSES = 50
    small, large = _import(400, tmp_path, slug="large-a"), _import(2000, tmp_path, slug="large-b")
    client.force_login(_viewer(small))
    UserFactory(username="large.viewer", party=large.parties.get(acronym="NSA"))
    counts = [
        _queries(client, reverse("agreements:text_part", args=[a.slug, a.sections.get(number="A1").pk]))[0]
        for a in (small, large)
    ]
    assert counts[0] == counts[1]


def test_a_short_text_is_shown_whole_on_the_agreement_page(client, moa, doc_staff):
    client.force_login(doc_staff)
    page = client.get(moa.get_absolute_url()).content.decode()
    assert all(f'id="{s.anchor}"' in page for s in moa.sections.all())
    assert "data-text-contents" not in page


def test_a_clause_link_of_a_short_text_goes_to_the_agreement_page(client, moa, doc_staff):
    client.force_login(doc_staff)
    clause = moa.sections.get(number="VI.1")
    assert client.get(clause.get_absolute_url()).url == f"{moa.get_absolute_url()}#{clause.anchor}"


# --- who sees the parts ----------------------------------------------------------------------


def _part_and_clause_urls(agreement: Agreement) -> list[str]:
    top = agreement.sections.get(number="A1")
    return [reverse("agreements:text_part", args=[agreement.slug, top.pk]), top.get_absolute_url()]


def test_a_part_of_another_partys_agreement_is_not_found(client, tmp_path):
    agreement = _import(400, tmp_path)
    client.force_login(UserFactory(username="other", party=PartyFactory(acronym="OTH"), roles=[ADMIN]))
    assert [client.get(url).status_code for url in _part_and_clause_urls(agreement)] == [404, 404]


def test_a_part_of_a_draft_is_not_found_by_its_partys_staff_but_seen_by_its_admins(client, tmp_path):
    data = large_agreement(400)
    del data["agreement"]["executed_on"]
    agreement = import_agreement(doc=read_agreement(_write(data, tmp_path))).agreement
    assert agreement.executed_on is None
    client.force_login(_viewer(agreement, STAFF, "nsa.staff"))
    assert [client.get(url).status_code for url in _part_and_clause_urls(agreement)] == [404, 404]
    client.force_login(_viewer(agreement, ADMIN, "nsa.admin"))
    assert [client.get(url).status_code for url in _part_and_clause_urls(agreement)] == [200, 302]


def test_a_part_is_not_found_for_a_clause_that_is_not_top_level_or_not_of_the_agreement(client, tmp_path):
    a, b = _import(400, tmp_path, slug="large-a"), _import(400, tmp_path, slug="large-b")
    client.force_login(_viewer(a))
    nested = a.sections.get(number="A1.1")
    others = b.sections.get(number="A1")
    assert client.get(reverse("agreements:text_part", args=[a.slug, nested.pk])).status_code == 404
    assert client.get(reverse("agreements:text_part", args=[a.slug, others.pk])).status_code == 404
    assert client.get(reverse("agreements:clause", args=[a.slug, others.pk])).status_code == 404


def test_a_part_and_a_clause_link_refuse_a_post(client, tmp_path):
    agreement = _import(400, tmp_path)
    client.force_login(_viewer(agreement))
    assert [client.post(url).status_code for url in _part_and_clause_urls(agreement)] == [405, 405]


def test_a_part_asks_an_anonymous_visitor_to_sign_in(client, tmp_path):
    agreement = _import(400, tmp_path)
    assert all(client.get(url).status_code == 302 for url in _part_and_clause_urls(agreement))


def test_a_long_item_list_shows_its_first_items_and_links_to_the_rest(client, tmp_path):
    agreement = _import(8000, tmp_path)  # 400 items: 100 objectives, 50 goals per party
    client.force_login(_viewer(agreement))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert page.count('id="item-') == 6 * ITEMS_SHOWN  # objectives, joint, two parties' goals and items
    assert f"?agreement={agreement.slug}&amp;kind=objective" in page
    assert f"{100 - ITEMS_SHOWN} more on the item list" in page
