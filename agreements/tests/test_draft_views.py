"""The draft's editing pages: who may open and post them, refusals on the fields, conflicts shown."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from agreements import lifecycle
from agreements.models import Agreement, Section
from agreements.permissions import ADMIN, MANAGER
from agreements.tests.factories import PartyFactory, UserFactory
from core.time import today

NEW_FILE = Path(__file__).parent / "data" / "new-two-party-mou.yaml"


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN])


@pytest.fixture
def outsider_admin(moa):
    return UserFactory(username="npa.admin", party=PartyFactory(acronym="NPA"), roles=[ADMIN])


@pytest.fixture
def draft(doc_admin) -> Agreement:
    up = lifecycle.draft_upload_create(acting_user=doc_admin, file_name="f.yaml", data=NEW_FILE.read_bytes())
    return lifecycle.draft_upload_confirm(acting_user=doc_admin, upload=up, sha256=up.sha256).agreement


def sign_all(agreement, *admins):
    for user in admins:
        lifecycle.signature_record(
            acting_user=user,
            agreement=agreement,
            name="A",
            title="B",
            signed_on=today() - datetime.timedelta(days=1),
        )


def first_clause(draft) -> Section:
    return draft.sections.get(number="I")


def page_urls(draft) -> list[str]:
    section = first_clause(draft)
    item = draft.commitments.get()
    return [
        reverse("agreements:draft", args=[draft.slug]),
        reverse("agreements:draft_clause_new", args=[draft.slug]),
        reverse("agreements:draft_clause_edit", args=[draft.slug, section.pk]),
        reverse("agreements:draft_clause_delete", args=[draft.slug, section.pk]),
        reverse("agreements:draft_commitment_new", args=[draft.slug]),
        reverse("agreements:draft_commitment_edit", args=[draft.slug, item.pk]),
        reverse("agreements:draft_commitment_delete", args=[draft.slug, item.pk]),
        reverse("agreements:draft_obligation_new", args=[draft.slug]),
    ]


def clause_data(section: Section, **changes) -> dict:
    data = {
        "number": section.number,
        "heading": section.heading,
        "text": section.text,
        "parent": section.parent_id or "",
        "version": section.version,
    }
    data.update(changes)
    return data


def test_the_admins_of_both_parties_open_every_editing_page(client, draft, doc_admin, dhs_admin):
    for user in (doc_admin, dhs_admin):
        client.force_login(user)
        for url in page_urls(draft):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["doc_staff", "manager", "outsider_admin"])
def test_a_non_admin_or_an_admin_of_another_party_does_not_find_the_draft(
    request, client, draft, doc, who, method
):
    user = (
        UserFactory(username="doc.m", party=doc, roles=[MANAGER])
        if who == "manager"
        else request.getfixturevalue(who)
    )
    client.force_login(user)
    before = list(draft.sections.values_list("number", "text", "version"))
    for url in page_urls(draft):
        response = getattr(client, method)(url, {"number": "X", "text": "Hijacked", "version": 1})
        assert response.status_code == 404, url
    assert list(draft.sections.values_list("number", "text", "version")) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_agreement_in_force_refuses_every_editing_page(client, draft, doc_admin, dhs_admin, method):
    sign_all(draft, doc_admin, dhs_admin)
    client.force_login(doc_admin)
    for url in page_urls(draft):
        response = getattr(client, method)(url, clause_data(first_clause(draft), text="After signing"))
        assert response.status_code == 403, url
        assert "modification every party executes" in response.content.decode()
    assert first_clause(draft).text == "The Parties will share trade data."


def test_the_draft_page_links_the_editor_and_an_agreement_in_force_does_not(
    client, draft, doc_admin, dhs_admin
):
    client.force_login(doc_admin)
    editor = reverse("agreements:draft", args=[draft.slug])
    assert f'href="{editor}"' in client.get(draft.get_absolute_url()).content.decode()
    sign_all(draft, doc_admin, dhs_admin)
    assert f'href="{editor}"' not in client.get(draft.get_absolute_url()).content.decode()


def test_the_editor_lists_clauses_with_their_actions_and_links_contacts(client, draft, doc_admin):
    client.force_login(doc_admin)
    html = client.get(reverse("agreements:draft", args=[draft.slug])).content.decode()
    assert 'aria-label="Move clause II down"' in html
    assert 'aria-label="Move clause I up"' not in html
    assert f"{reverse('contacts:create')}?agreement={draft.slug}" in html


def test_a_clause_edit_saves_and_returns_to_the_editor(client, draft, doc_admin):
    client.force_login(doc_admin)
    section = first_clause(draft)
    url = reverse("agreements:draft_clause_edit", args=[draft.slug, section.pk])
    response = client.post(url, clause_data(section, text="New words."))
    assert response.status_code == 302
    assert response.url == reverse("agreements:draft", args=[draft.slug]) + "#clause-I"
    assert first_clause(draft).text == "New words."


def test_a_refusal_is_shown_on_the_field_it_names(client, draft, doc_admin):
    client.force_login(doc_admin)
    section = first_clause(draft)
    url = reverse("agreements:draft_clause_edit", args=[draft.slug, section.pk])
    response = client.post(url, clause_data(section, number="IV"))
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == ["clause 'IV' appears twice"]
    assert "Nothing was saved" in response.content.decode()


def test_the_second_admins_save_shows_what_changed_and_saves_nothing(client, draft, doc_admin, dhs_admin):
    section = first_clause(draft)
    url = reverse("agreements:draft_clause_edit", args=[draft.slug, section.pk])
    client.force_login(dhs_admin)
    client.post(url, clause_data(section, text="DHS's words."))
    client.force_login(doc_admin)
    response = client.post(url, clause_data(section, text="DOC's words."))
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed this after you opened it" in html
    assert "DHS&#x27;s words." in html
    assert first_clause(draft).text == "DHS's words."
    # The form now carries the current version: saving again is a deliberate choice.
    assert response.context["form"]["version"].value() == str(first_clause(draft).version)


def test_a_post_without_a_version_is_refused_as_unknown(client, draft, doc_admin):
    client.force_login(doc_admin)
    section = first_clause(draft)
    url = reverse("agreements:draft_clause_edit", args=[draft.slug, section.pk])
    response = client.post(url, clause_data(section, text="No version.", version=""))
    assert response.status_code == 409
    assert first_clause(draft).text == "The Parties will share trade data."


def test_a_clause_moves_by_its_button(client, draft, doc_admin):
    client.force_login(doc_admin)
    section = draft.sections.get(number="II")
    url = reverse("agreements:draft_clause_move", args=[draft.slug, section.pk])
    response = client.post(url, {"direction": "up", "version": section.version})
    assert response.status_code == 302
    assert list(draft.sections.order_by("position").values_list("number", flat=True))[:2] == ["II", "II.1"]


def test_a_clause_that_is_not_empty_is_not_removed_and_the_page_says_why(client, draft, doc_admin):
    client.force_login(doc_admin)
    section = draft.sections.get(number="II")
    url = reverse("agreements:draft_clause_delete", args=[draft.slug, section.pk])
    response = client.post(url, {"version": section.version})
    assert response.status_code == 200
    assert "Clause II is not empty" in response.content.decode()
    assert draft.sections.filter(number="II").exists()


def test_a_commitment_is_added_from_its_page(client, draft, doc_admin, doc):
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:draft_commitment_new", args=[draft.slug]),
        {
            "code": "II.2",
            "kind": "joint_activity",
            "title": "Meet quarterly",
            "lead_parties": [doc.pk],
            "source_section": draft.sections.get(number="II").pk,
        },
    )
    assert response.status_code == 302
    assert draft.commitments.get(code="II.2").lead_display == "DOC"


def test_an_obligation_refused_by_the_files_rule_names_the_field(client, draft, doc_admin, doc, dhs):
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:draft_obligation_new", args=[draft.slug]),
        {
            "code": "REPORT-Q",
            "kind": "report",
            "title": "Quarterly report",
            "section": draft.sections.get(number="II").pk,
            "parties": [doc.pk, dhs.pk],
            "cadence": "quarterly",
            "anchor": "calendar",
            "window_days": "30",
            "due_day": "5",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due_day"] == ["give window_days or due_day, not both"]
    assert not draft.obligations.exists()


def test_an_admin_edits_only_their_own_partys_signatory(client, draft, doc_admin, dhs):
    dhs_signatory = draft.signatories.create(party=dhs, name="DHS Secretary", title="Secretary")
    client.force_login(doc_admin)
    url = reverse("agreements:draft_signatory_edit", args=[draft.slug, dhs_signatory.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "X", "title": "Y", "version": dhs_signatory.version})
    assert response.status_code == 403
    dhs_signatory.refresh_from_db()
    assert dhs_signatory.name == "DHS Secretary"


def test_dating_the_last_signatory_goes_to_the_agreement_in_force(client, draft, doc_admin, dhs_admin, doc):
    lifecycle.signature_record(
        acting_user=dhs_admin,
        agreement=draft,
        name="A",
        title="B",
        signed_on=today() - datetime.timedelta(days=2),
    )
    mine = draft.signatories.create(party=doc, name="DOC Secretary", title="Secretary")
    client.force_login(doc_admin)
    response = client.post(
        reverse("agreements:draft_signatory_edit", args=[draft.slug, mine.pk]),
        {
            "name": "DOC Secretary",
            "title": "Secretary",
            "signed_on": (today() - datetime.timedelta(days=1)).isoformat(),
            "version": mine.version,
        },
    )
    assert response.status_code == 302
    assert response.url == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.executed_on == today() - datetime.timedelta(days=1)


def test_points_of_contact_are_added_to_a_draft_through_the_contacts_page(client, draft, doc_admin, doc):
    client.force_login(doc_admin)
    response = client.post(
        f"{reverse('contacts:create')}?agreement={draft.slug}",
        {
            "agreement": draft.pk,
            "party": doc.pk,
            "role_title": "Director",
            "active_from": today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert draft.points_of_contact.get().role_title == "Director"


def test_the_editors_queries_do_not_grow_with_its_clauses_and_commitments(
    client, draft, doc_admin, django_assert_max_num_queries
):
    """Each clause names its parent and each commitment says whether it is joint from what the
    page has already read: a draft of 2,000 clauses costs the queries of one of ten."""
    client.force_login(doc_admin)
    url = reverse("agreements:draft", args=[draft.slug])
    client.get(url)  # the first request after signing in also moves the session's clock
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    parent = Section.objects.filter(agreement=draft).order_by("position").first()
    for n in range(12):
        Section.objects.create(agreement=draft, number=f"Z.{n}", parent=parent, position=900 + n)
    for item in draft.commitments.all():
        item.lead_parties.set(draft.parties.all())
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert f"(within {parent.number})" in response.content.decode()
    assert "Joint" in response.content.decode()
    assert len(many) == len(few)
