"""Reading an agreement's text: files and refusals, the clause tree, proposals, the draft command."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from agreements.agreement_file import read_agreement
from agreements.reading.bench import run
from agreements.reading.files import ReadingRefused, read_source
from agreements.reading.outline import build_outline
from agreements.reading.samples import make_docx, make_pdf
from agreements.reading.service import read_agreement_text

DATA = Path(__file__).resolve().parent.parent / "data"
MOA_TEXT = DATA / "sources" / "doc-dhs-ecommerce-moa-2017.txt"
MOA_FILE = DATA / "doc-dhs-ecommerce-moa-2017.yaml"
READING = Path(__file__).resolve().parent / "data" / "reading"


def _words(text: str) -> list[str]:
    return sorted(w.lower() for w in re.findall(r"[\w§’'“”-]+", text.replace("*", "")) if w != "-")


def test_an_empty_file_is_refused():
    with pytest.raises(ReadingRefused, match="empty"):
        read_source("moa.txt", b"")


def test_a_file_over_the_evidence_size_limit_is_refused():
    with pytest.raises(ReadingRefused, match="at most"):
        read_source("moa.txt", b"x" * 101, max_bytes=100)


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ReadingRefused, match="password"):
        read_source("moa.pdf", out.getvalue())


def test_a_scanned_pdf_without_text_is_refused_as_scanned():
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ReadingRefused, match="no text layer"):
        read_source("moa.pdf", out.getvalue())


def test_a_renamed_program_as_docx_is_refused():
    with pytest.raises(ReadingRefused, match="program"):
        read_source("moa.docx", b"MZ\x90\x00" + b"\x00" * 200)


def test_a_docx_that_is_a_zip_bomb_is_refused(settings):
    settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED = 1000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * 100_000)
    with pytest.raises(ReadingRefused, match="zip bomb"):
        read_source("moa.docx", out.getvalue())


def test_text_in_an_unknown_layout_is_reported_as_no_structure_found():
    with pytest.raises(ReadingRefused, match="no structure found"):
        read_agreement_text("notes.txt", b"We met on Tuesday and talked about data.\nIt went well.\n")


def test_the_moa_text_reads_into_the_hand_made_clause_tree():
    result = run(MOA_TEXT, MOA_FILE)
    clauses = next(s for s in result.scores if s.kind == "clauses")
    assert (clauses.right, clauses.proposed, clauses.expected) == (57, 57, 57)


def test_the_moa_proposals_meet_the_issue_targets():
    scores = {s.kind: s for s in run(MOA_TEXT, MOA_FILE).scores}
    for kind in ("parties", "authorities", "term", "signatories", "contacts"):
        assert scores[kind].precision == scores[kind].recall == 1.0, kind
    for kind in ("commitments", "obligations"):
        assert scores[kind].recall >= 0.95 and scores[kind].precision >= 0.90, kind


@pytest.mark.parametrize(
    ("name", "as_format"),
    [
        ("three-party-mou", "text"),
        ("three-party-mou", "pdf"),
        ("data-sharing-agreement", "text"),
        ("data-sharing-agreement", "docx"),
    ],
)
def test_the_test_documents_clause_trees_reach_95_percent(name, as_format):
    result = run(READING / f"{name}.txt", READING / f"{name}.yaml", as_format=as_format)
    clauses = next(s for s in result.scores if s.kind == "clauses")
    assert clauses.recall >= 0.95 and clauses.precision >= 0.95


def test_a_pdf_loses_its_running_header_and_page_numbers():
    outline = build_outline(read_source("mou.pdf", make_pdf((READING / "three-party-mou.txt").read_text())))
    assert "Page 1 of 2" in outline.dropped
    assert not any("Draft for Signature" in c.text for c in outline.clauses)


def test_a_word_hyphenated_at_a_line_end_is_joined():
    text = (
        "I. PURPOSE\n\n"
        + "The Parties will work together on a compre-\nhensive plan to share data across the agencies.\n" * 1
    )
    outline = build_outline(read_source("a.txt", text.encode()))
    assert "comprehensive plan" in outline.clause("I").text


def test_the_draft_command_writes_a_file_the_agreement_reader_accepts(tmp_path):
    out = tmp_path / "draft.yaml"
    call_command("draft_agreement_from_text", str(READING / "three-party-mou.txt"), "--out", str(out))
    assert "# REVIEW" in out.read_text()
    doc = read_agreement(out)
    assert {p.acronym for p in doc.parties} == {"NOAA", "USGS", "FEMA"}


def test_the_draft_command_refuses_an_empty_file_with_its_reason(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("draft_agreement_from_text", str(empty), "--out", str(tmp_path / "out.yaml"))
    assert not (tmp_path / "out.yaml").exists()


def test_a_docx_keeps_its_bold_run_in_headings():
    data = make_docx("I. OTHER PROVISIONS\n\n1. **Severability.** Nothing here conflicts with statute.\n")
    outline = build_outline(read_source("a.docx", data))
    assert outline.clause("I.1").heading == "Severability."


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
_sentence = st.lists(_word, min_size=3, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
_items = st.lists(_sentence, min_size=1, max_size=4)
_sections = st.lists(st.tuples(_sentence, _items), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(_sections)
def test_every_word_of_the_source_is_in_exactly_one_clause(sections):
    romans = ["I", "II", "III", "IV", "VI"]
    lines = ["AGREEMENT BETWEEN THE PARTIES", ""]
    for n, (intro, items) in enumerate(sections):
        lines += [f"{romans[n]}. HEADING NUMBER {romans[n]}", "", intro, ""]
        lines += [f"{i + 1}. {item}" for i, item in enumerate(items)] + [""]
    source = "\n".join(lines)
    outline = build_outline(read_source("gen.txt", source.encode()))
    held = " ".join(f"{c.marker} {c.heading} {c.text}" for c in outline.clauses)
    assert _words(held) == _words(source)


def test_every_word_of_the_moa_text_is_in_exactly_one_clause():
    source = MOA_TEXT.read_text(encoding="utf-8")
    outline = build_outline(read_source(MOA_TEXT.name, source.encode()))
    held = " ".join(f"{c.marker} {c.heading} {c.text}" for c in outline.clauses)
    assert _words(held) == _words(source)


def test_every_word_of_the_moa_as_a_pdf_is_in_one_clause_but_the_page_furniture():
    source = MOA_TEXT.read_text(encoding="utf-8")
    outline = build_outline(read_source("moa.pdf", make_pdf(source)))
    held = " ".join(f"{c.marker} {c.heading} {c.text}" for c in outline.clauses)
    assert _words(held) == _words(source)
    assert len(outline.dropped) == 14  # a running header and "Page N of 7" on each of 7 pages


_line = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["I. PARTIES", "1. x", "- a. y", "(1) z", "ANNEX I", "SIGNATURES", "- **B:** c", "i. w", ""]
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=30))
def test_any_text_reads_into_an_outline_or_a_refusal_never_an_error(lines):
    data = "\n".join(lines).encode("utf-8")
    try:
        reading = read_agreement_text("any.txt", data)
    except ReadingRefused:
        return
    assert reading.outline.clauses


def _tree(text: str) -> list[tuple[str, str | None]]:
    return [(c.number, c.parent) for c in build_outline(read_source("a.txt", text.encode())).clauses]


def test_dotted_numbers_sit_under_the_number_they_extend():
    text = "ARTICLE 3 - SCOPE\n\n3.1 First.\n3.1.1 Deep.\n3.2 Second.\n(a) sub.\n3.3 Third.\n"
    assert _tree(text) == [
        ("3", None),
        ("3.1", "3"),
        ("3.1.1", "3.1"),
        ("3.2", "3"),
        ("3.2(a)", "3.2"),
        ("3.3", "3"),
    ]


def test_the_letter_after_h_is_i_not_a_roman_one():
    letters = "abcdefghij"
    text = "I. SCOPE\n\n1. The Parties will:\n" + "".join(f"{x}. do {x}.\n" for x in letters)
    assert [n for n, _ in _tree(text)][-3:] == ["I.1.h", "I.1.i", "I.1.j"]


def test_roman_sub_items_under_a_lettered_item_are_its_children():
    text = "I. SCOPE\n\n1. Lead:\na. item a:\ni. one;\nii. two;\nb. item b.\n"
    assert _tree(text)[-3:] == [("I.1.a.i", "I.1.a"), ("I.1.a.ii", "I.1.a"), ("I.1.b", "I.1")]


def test_parties_named_only_between_and_are_proposed_with_their_initials_and_a_note():
    text = (
        "MEMORANDUM OF UNDERSTANDING\nBETWEEN THE NATIONAL PARKS AGENCY\nAND THE COASTAL WEATHER SERVICE\n\n"
        "I. PURPOSE\n\nThe Parties will share forecasts.\n"
    )
    parties = [p for p in read_agreement_text("a.txt", text.encode()).proposals if p.kind == "party"]
    assert [(p.value["acronym"], p.value["name"], p.clause) for p in parties] == [
        ("NPA", "National Parks Agency", "TITLE"),
        ("CWS", "Coastal Weather Service", "TITLE"),
    ]
    assert "initials" in parties[0].note


def test_an_older_word_file_is_refused_asking_for_docx_or_pdf():
    with pytest.raises(ReadingRefused, match="save it as .docx or PDF"):
        read_source("moa.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
