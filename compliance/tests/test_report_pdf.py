"""The quarterly report as PDF: the page's content, page numbers and the agreement's name on every page."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from activities.tests.factories import ProgressUpdateFactory
from agreements.tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

QUERY = {"agreement": "pact", "as_of": "2021-06-30"}


@pytest.fixture
def busy_quarter(pact, abc, manager):
    """Enough progress in Q2 2021 for the report to run over several pages."""
    pact.short_name = "Pact on Coastal Data"
    pact.save()
    for n in range(40):
        item = CommitmentFactory(agreement=pact, code=f"VI.{n + 1}", lead_party=abc)
        ProgressUpdateFactory(
            commitment=item,
            as_of=datetime.date(2021, 5, 10),
            reporting_party=abc,
            author=manager,
            narrative=f"Narrative {n + 1}: the working group met and agreed the next draft. " * 3,
        )
    return pact


def pdf_pages(response) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_pdf_report_names_the_agreement_and_numbers_every_page(client, manager, busy_quarter):
    client.force_login(manager)
    response = client.get(reverse("compliance:report"), {**QUERY, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pact-report-2021-06-30.pdf"'
    pages = pdf_pages(response)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Pact on Coastal Data" in text
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_report_shows_no_template_syntax(client, manager, busy_quarter):
    client.force_login(manager)
    text = "".join(pdf_pages(client.get(reverse("compliance:report"), {**QUERY, "format": "pdf"})))
    assert "{#" not in text and "{%" not in text and "{{" not in text


def test_pdf_report_has_the_content_of_the_printable_page(client, manager, busy_quarter):
    client.force_login(manager)
    page = client.get(reverse("compliance:report"), QUERY).content.decode()
    text = " ".join(
        " ".join(pdf_pages(client.get(reverse("compliance:report"), {**QUERY, "format": "pdf"}))).split()
    )
    for phrase in (
        "Quarterly report, 2021 Q2",
        "Progress reported this quarter",
        "Narrative 40:",
        "Points of contact",
    ):
        assert phrase in page
        assert phrase in text


def test_printable_report_links_to_its_pdf(client, manager, busy_quarter):
    client.force_login(manager)
    response = client.get(reverse("compliance:report"), QUERY)
    assert response.status_code == 200
    assert b'href="/dashboard/report/?agreement=pact&amp;as_of=2021-06-30&amp;format=pdf"' in response.content


def test_report_in_an_unknown_format_is_not_found(client, manager, busy_quarter):
    client.force_login(manager)
    assert client.get(reverse("compliance:report"), {**QUERY, "format": "docx"}).status_code == 404


def test_staff_may_not_download_the_pdf_report(client, staff, busy_quarter):
    client.force_login(staff)
    assert client.get(reverse("compliance:report"), {**QUERY, "format": "pdf"}).status_code == 403
