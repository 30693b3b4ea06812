"""import_agreement: the real MOA file, idempotency, and refusal of malformed files."""

import datetime
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from agreements.models import (
    Agreement,
    Authority,
    Commitment,
    Party,
    Section,
    Signatory,
)
from conftest import DATA_DIR, EXAMPLE_MOU_FILE, MOA_FILE
from contacts.models import PointOfContact

# The MOA's source text, kept beside its data file (a U.S. Government work; see sources/README.md).
MOA_SOURCE_TEXT = DATA_DIR / "sources" / "doc-dhs-ecommerce-moa-2017.txt"


def _table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Agreement, Party, Section, Authority, Commitment, Signatory, PointOfContact)
    }


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def moa_data() -> dict:
    return yaml.safe_load(MOA_FILE.read_text(encoding="utf-8"))


def test_moa_import_creates_every_part_of_the_agreement(moa):
    assert set(moa.parties.values_list("acronym", flat=True)) == {"DOC", "DHS"}
    assert Authority.objects.filter(agreement=moa).count() == 2
    assert Commitment.objects.filter(kind=Commitment.Kind.OBJECTIVE, agreement=moa).count() == 6
    assert Commitment.objects.filter(kind=Commitment.Kind.JOINT_ACTIVITY, agreement=moa).count() == 5
    assert (
        Commitment.objects.filter(
            kind=Commitment.Kind.STRATEGIC_GOAL, agreement=moa, lead_parties__acronym="DOC"
        ).count()
        == 4
    )
    assert (
        Commitment.objects.filter(
            kind=Commitment.Kind.STRATEGIC_GOAL, agreement=moa, lead_parties__acronym="DHS"
        ).count()
        == 5
    )
    assert (
        Commitment.objects.filter(
            kind=Commitment.Kind.ACTION_ITEM, agreement=moa, lead_parties__acronym="DOC"
        ).count()
        == 4
    )
    assert (
        Commitment.objects.filter(
            kind=Commitment.Kind.ACTION_ITEM, agreement=moa, lead_parties__acronym="DHS"
        ).count()
        == 6
    )
    assert Signatory.objects.filter(agreement=moa).count() == 2
    assert PointOfContact.objects.filter(agreement=moa, party__acronym="DOC").count() == 3
    assert PointOfContact.objects.filter(agreement=moa, party__acronym="DHS").count() == 4


def test_moa_authorities_cite_the_statutes_and_empower_their_party(moa):
    citations = dict(moa.authorities.values_list("citation", "party__acronym"))
    assert citations == {"15 U.S.C. § 1512": "DOC", "6 U.S.C. § 709": "DHS"}


def test_moa_is_executed_on_the_announced_signing_day_with_its_source(moa):
    assert moa.executed_on == datetime.date(2017, 10, 19)
    assert moa.expires_on == datetime.date(2022, 10, 19)
    assert "19 October 2017" in moa.execution_source


def test_moa_signatories_are_dougherty_for_dhs_and_driscoll_for_doc(moa):
    assert dict(moa.signatories.values_list("party__acronym", "name")) == {
        "DHS": "Michael Dougherty",
        "DOC": "Anne Driscoll",
    }


def test_moa_text_keeps_the_source_numbering_without_a_section_v(moa):
    top = list(moa.sections.filter(parent=None).values_list("number", flat=True))
    assert top == ["I", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XX", "SIGNATURES", "ANNEX I"]


def test_moa_names_three_flows_of_e_commerce_under_organizational_management(moa):
    goal = Commitment.objects.get(kind=Commitment.Kind.STRATEGIC_GOAL, agreement=moa, code="DOC-G1")
    assert goal.title == "Organizational Management"
    flows = goal.source_section.children.order_by("position")
    assert [f.number for f in flows] == ["ANNEX I.DOC.G1.i", "ANNEX I.DOC.G1.ii", "ANNEX I.DOC.G1.iii"]


def test_moa_clauses_hold_every_word_of_the_source_text(moa):
    def words(text: str) -> list[str]:
        return re.findall(r"[\w§’'“”-]+", text.replace("*", "").lower())

    stored = " ".join(moa.sections.order_by("position").values_list("text", flat=True))
    stored_words = set(words(stored)) | {w for s in moa.sections.all() for w in words(s.heading)}
    missing = [w for w in words(MOA_SOURCE_TEXT.read_text(encoding="utf-8")) if w not in stored_words]
    # Only the list markers and the title block (kept as the agreement's title) are not clause text.
    title_words = set(words(moa.title))
    assert [w for w in missing if w not in title_words and not re.fullmatch(r"[a-fivx0-9]+", w)] == []


def test_every_tracked_item_cites_a_clause_of_its_own_agreement(moa):
    assert not Commitment.objects.filter(agreement=moa).exclude(source_section__agreement=moa).exists()


def test_second_import_changes_nothing_and_says_so(moa, capsys):
    before = _table_counts()
    history_before = Commitment.history.count()
    call_command("import_agreement", str(MOA_FILE))
    assert "no changes" in capsys.readouterr().out
    assert _table_counts() == before
    assert Commitment.history.count() == history_before


def test_import_updates_a_changed_clause_in_place(moa, moa_data, tmp_path):
    purpose = next(s for s in moa_data["sections"] if s["number"] == "III")
    purpose["text"] = "Amended purpose text."
    call_command("import_agreement", str(_write(tmp_path, moa_data)))
    assert Section.objects.get(agreement=moa, number="III").text == "Amended purpose text."
    assert Section.objects.filter(agreement=moa).count() == len(moa_data["sections"])


def test_example_mou_imports_with_its_own_parties(db):
    call_command("import_agreement", str(EXAMPLE_MOU_FILE))
    mou = Agreement.objects.get()
    assert mou.kind == Agreement.Kind.MOU
    assert not mou.parties.filter(acronym__in=["DOC", "DHS"]).exists()


def test_example_mou_executed_modification_extends_its_leap_day_term(db):
    call_command("import_agreement", str(EXAMPLE_MOU_FILE))
    mou = Agreement.objects.get()
    assert mou.executed_on == datetime.date(2024, 2, 29)
    assert mou.original_expires_on == datetime.date(2027, 2, 28)
    assert mou.expires_on == datetime.date(2028, 2, 28)


def _mutate(data: dict, case: str) -> str:
    """Break the file in one way; return the field path the refusal must name."""
    if case == "missing field":
        del data["agreement"]["title"]
        return "agreement.title"
    if case == "unknown party":
        data["objectives"][0]["leads"] = ["USDA"]
        return "objectives[0].leads[0]"
    if case == "bad date":
        data["agreement"]["executed_on"] = "2017-13-45"
        return "agreement.executed_on"
    if case == "duplicate code":
        data["action_items"][1]["code"] = data["action_items"][0]["code"]
        return "action_items[1].code"
    if case == "missing clause":
        data["joint_activities"][2]["section"] = "V.1"
        return "joint_activities[2].section"
    raise AssertionError(case)


MALFORMED = ["missing field", "unknown party", "bad date", "duplicate code", "missing clause"]


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_is_refused_naming_file_and_field(db, moa_data, tmp_path, case):
    field = _mutate(moa_data, case)
    path = _write(tmp_path, moa_data)
    with pytest.raises(CommandError) as refused:
        call_command("import_agreement", str(path))
    assert str(path) in str(refused.value)
    assert field in str(refused.value)


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_leaves_the_database_exactly_as_it_was(moa, moa_data, tmp_path, case):
    moa_data["sections"][0]["text"] = "Changed before the broken part."
    _mutate(moa_data, case)
    before = _table_counts()
    first_clause = Section.objects.get(agreement=moa, number="I").text
    with pytest.raises(CommandError):
        call_command("import_agreement", str(_write(tmp_path, moa_data)))
    assert _table_counts() == before
    assert Section.objects.get(agreement=moa, number="I").text == first_clause


def test_database_refusal_midway_rolls_back_everything(moa, moa_data, tmp_path):
    """A clause too long for its column fails in the database after earlier rows were written."""
    moa_data["sections"][0]["text"] = "Written first, then rolled back."
    moa_data["points_of_contact"][0]["phone"] = "9" * 100
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_agreement", str(_write(tmp_path, moa_data)))
    assert Section.objects.get(agreement=moa, number="I").text != "Written first, then rolled back."


def test_the_import_command_still_refuses_a_production_configuration_that_cannot_work(db, settings):
    settings.PORTAL_PRODUCTION = True
    settings.PORTAL_URL = "http://localhost"
    with pytest.raises(SystemCheckError, match="moa_portal.E003"):
        call_command("import_agreement", str(MOA_FILE), skip_checks=False)
    assert not Agreement.objects.exists()


def test_the_import_command_does_not_load_the_portals_web_addresses(db, settings):
    """Checking the URL configuration imports every view: half the command's start, for nothing."""
    settings.ROOT_URLCONF = "no.such.urls"
    call_command("import_agreement", str(MOA_FILE), skip_checks=False)
    assert Agreement.objects.filter(slug="doc-dhs-ecommerce-moa-2017").exists()
