"""The lists' filter form: drawn by our own template, with the labels, ids, aria and errors the
browser tests and screen readers rely on (docs/performance.md, "Item page and lists")."""

from django.urls import reverse
from pytest_django.asserts import assertInHTML

from agreements.tests.factories import AgreementFactory


def page(client, name, query=None):
    response = client.get(reverse(name), query or {})
    assert response.status_code == 200
    return response.content.decode()


def test_each_filter_is_labelled_and_described_by_its_help_text(client, doc_staff, moa):
    client.force_login(doc_staff)
    content = page(client, "activities:commitment_list")
    assertInHTML('<label for="id_q" class="form-label">Search</label>', content)
    assertInHTML(
        '<input type="text" name="q" class="textinput form-control" aria-describedby="id_q_helptext"'
        ' id="id_q">',
        content,
    )
    assertInHTML('<div id="id_q_helptext" class="form-text">Code, title or description.</div>', content)


def test_an_invalid_filter_is_marked_and_points_to_its_error_and_help_text(client, doc_staff, moa):
    client.force_login(doc_staff)
    content = page(client, "activities:meeting_list", {"quarter": "2018-Q9"})
    assertInHTML(
        '<input type="text" name="quarter" value="2018-Q9" class="textinput form-control is-invalid"'
        ' aria-invalid="true" aria-describedby="id_quarter_helptext id_quarter_error" id="id_quarter">',
        content,
    )
    assertInHTML(
        '<div id="id_quarter_error" class="invalid-feedback"><p id="error_1_id_quarter"><strong>'
        "Write the quarter as year-Q and number, for example 2018-Q1.</strong></p></div>",
        content,
    )


def test_an_invalid_choice_is_marked_on_its_select(client, doc_staff, moa):
    client.force_login(doc_staff)
    content = page(client, "activities:commitment_list", {"status": "bogus"})
    assert (
        'class="select form-select is-invalid" aria-invalid="true" aria-describedby="id_status_error"'
        in content
    )
    assert "bogus is not one of the available choices." in content


def test_the_agreement_filter_offers_the_agreements_the_user_sees_with_the_chosen_one_selected(
    client, doc_staff, doc, moa
):
    other = AgreementFactory(slug="other-moa", short_name="R&D <pilot> MOA", parties=[doc])
    AgreementFactory(slug="not-ours", short_name="Not ours")
    client.force_login(doc_staff)
    content = page(client, "activities:commitment_list", {"agreement": other.slug})
    assertInHTML(f'<option value="{moa.slug}">{moa.short_name}</option>', content)
    assertInHTML('<option value="other-moa" selected>R&amp;D &lt;pilot&gt; MOA</option>', content)
    assertInHTML('<option value="">All agreements</option>', content)
    assert "not-ours" not in content


def test_the_stale_checkbox_stays_ticked_with_its_label_and_help_text(client, doc_staff, moa):
    client.force_login(doc_staff)
    content = page(client, "activities:commitment_list", {"stale": "on"})
    assertInHTML(
        '<div id="div_id_stale" class="form-check"><input type="checkbox" name="stale"'
        ' class="checkboxinput form-check-input" aria-describedby="id_stale_helptext" id="id_stale" checked>'
        '<label for="id_stale" class="form-check-label">Stale only</label>'
        '<div id="id_stale_helptext" class="form-text">No update in the stale window.</div></div>',
        content,
    )
