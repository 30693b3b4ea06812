"""Writes through the API: the pages' permission functions and services, the same version checks."""

import pytest

from activities.models import Meeting, Milestone, OutreachEvent, ProgressUpdate
from activities.tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements.models import Commitment
from api.models import AccessToken
from contacts.models import PointOfContact
from notifications.tests.factories import NotificationFactory

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db

DAY = "2018-03-15"


@pytest.fixture
def doc_item(moa, doc):
    return (
        moa.commitments.filter(lead_parties=doc)
        .exclude(lead_parties__in=moa.parties.exclude(pk=doc.pk))
        .first()
    )


def _update(item):
    return {
        "commitment": item.pk,
        "as_of": DAY,
        "status": "on_track",
        "percent_complete": 40,
        "narrative": "Logged through the API.",
    }


def test_staff_of_the_lead_party_log_progress_and_the_commitment_moves(doc_staff, doc_item):
    response = client_with(make_token(doc_staff)).post(
        "/api/v1/progress-updates/", _update(doc_item), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reporting_party"] == "DOC"
    assert response["ETag"] == '"1"'
    assert Commitment.objects.get(pk=doc_item.pk).status == "on_track"


def test_staff_of_another_party_are_refused_and_nothing_is_saved(dhs_staff, doc_item):
    response = client_with(make_token(dhs_staff)).post(
        "/api/v1/progress-updates/", _update(doc_item), format="json"
    )
    assert response.status_code == 403
    assert "led by" in response.json()["detail"]
    assert not ProgressUpdate.objects.exists()


def test_a_commitment_not_visible_is_a_404(outsider, doc_item):
    response = client_with(make_token(outsider)).post(
        "/api/v1/progress-updates/", _update(doc_item), format="json"
    )
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_a_read_only_token_cannot_log_progress(doc_staff, doc_item):
    api = client_with(make_token(doc_staff, AccessToken.Scope.READ))
    assert api.post("/api/v1/progress-updates/", _update(doc_item), format="json").status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_the_models_rules_refuse_with_400(doc_staff, doc_item):
    data = {**_update(doc_item), "status": "complete", "percent_complete": 40}
    response = client_with(make_token(doc_staff)).post("/api/v1/progress-updates/", data, format="json")
    assert response.status_code == 400
    assert "percent_complete" in response.json()
    assert not ProgressUpdate.objects.exists()


def test_a_correction_names_the_update_it_corrects(doc_staff, doc_item, doc, moa):
    first = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )
    data = {**_update(doc_item), "corrects": first.pk}
    response = client_with(make_token(doc_staff)).post("/api/v1/progress-updates/", data, format="json")
    assert response.status_code == 201
    assert ProgressUpdate.objects.get(pk=response.json()["id"]).corrects == first


def test_an_edit_needs_the_version_read_and_a_stale_one_is_a_409(doc_staff, doc_item, doc, moa):
    update = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )
    api = client_with(make_token(doc_staff))
    url = f"/api/v1/progress-updates/{update.pk}/"
    change = {"as_of": DAY, "status": "at_risk", "percent_complete": 30, "narrative": "Slower."}
    assert api.patch(url, change, format="json").status_code == 428
    tag = api.get(url)["ETag"]
    assert api.patch(url, change, format="json", HTTP_IF_MATCH=tag).status_code == 200
    stale = api.patch(url, {**change, "narrative": "Overwrite?"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 409
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == "Slower."


def test_an_edit_changes_only_the_fields_sent(doc_staff, doc_item, doc, moa):
    update = ProgressUpdateFactory(
        commitment=doc_item,
        reporting_party=doc,
        author=doc_staff,
        as_of=moa.executed_on,
        next_steps="Circulate the draft.",
    )
    response = client_with(make_token(doc_staff)).patch(
        f"/api/v1/progress-updates/{update.pk}/",
        {"narrative": "Reworded."},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    current = ProgressUpdate.objects.get(pk=update.pk)
    assert (current.narrative, current.next_steps, current.status, current.as_of) == (
        "Reworded.",
        "Circulate the draft.",
        update.status,
        update.as_of,
    )


def test_only_the_author_edits_an_update(doc_staff, doc_manager, doc_item, doc, moa):
    update = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )
    change = {
        "as_of": DAY,
        "status": "at_risk",
        "percent_complete": 30,
        "narrative": "Not mine.",
        "version": 1,
    }
    response = client_with(make_token(doc_manager)).patch(
        f"/api/v1/progress-updates/{update.pk}/", change, format="json"
    )
    assert response.status_code == 403
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == update.narrative


def test_a_manager_of_the_lead_party_sets_owner_and_target_date_with_the_etag(
    doc_manager, doc_staff, doc_item
):
    api = client_with(make_token(doc_manager))
    url = f"/api/v1/commitments/{doc_item.pk}/"
    tag = api.get(url)["ETag"]
    body = {"owner": doc_staff.pk, "target_date": "2019-06-30"}
    response = api.put(url + "assignment/", body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == doc_staff.pk
    again = api.put(
        url + "assignment/", {**body, "target_date": "2019-07-31"}, format="json", HTTP_IF_MATCH=tag
    )
    assert again.status_code == 409
    assert str(Commitment.objects.get(pk=doc_item.pk).target_date) == "2019-06-30"


def test_staff_do_not_assign_owners(doc_staff, doc_item):
    api = client_with(make_token(doc_staff))
    url = f"/api/v1/commitments/{doc_item.pk}/"
    tag = api.get(url)["ETag"]
    response = api.put(
        url + "assignment/", {"owner": None, "target_date": "2019-06-30"}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 403
    assert Commitment.objects.get(pk=doc_item.pk).target_date is None


def test_admins_keep_their_partys_contacts_and_staff_do_not(doc_admin, doc_staff, moa):
    data = {"agreement": moa.slug, "party": "DOC", "role_title": "API Liaison", "active_from": DAY}
    assert (
        client_with(make_token(doc_staff)).post("/api/v1/contacts/", data, format="json").status_code == 403
    )
    assert not PointOfContact.objects.filter(role_title="API Liaison").exists()
    dhs = {**data, "party": "DHS"}
    assert client_with(make_token(doc_admin)).post("/api/v1/contacts/", dhs, format="json").status_code == 403
    response = client_with(make_token(doc_admin)).post("/api/v1/contacts/", data, format="json")
    assert response.status_code == 201
    contact = PointOfContact.objects.get(role_title="API Liaison")
    edit = {"role_title": "API Liaison", "person_name": "Pat", "active_from": DAY}
    url = f"/api/v1/contacts/{contact.pk}/"
    api = client_with(make_token(doc_admin))
    assert api.patch(url, edit, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    assert (
        api.patch(url, {**edit, "person_name": "Sam"}, format="json", HTTP_IF_MATCH='"1"').status_code == 409
    )
    assert PointOfContact.objects.get(pk=contact.pk).person_name == "Pat"


def test_notifications_are_your_own_and_marked_read_by_you(doc_staff, dhs_staff):
    mine = NotificationFactory(user=doc_staff)
    theirs = NotificationFactory(user=dhs_staff)
    api = client_with(make_token(doc_staff))
    assert [n["id"] for n in api.get("/api/v1/notifications/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    response = api.post("/api/v1/notifications/mark-read/", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert response.json() == {"marked_read": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.get("/api/v1/notifications/?unread=true").json()["results"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/progress-updates/"),
        ("patch", "/api/v1/progress-updates/{update}/"),
        ("put", "/api/v1/commitments/{item}/assignment/"),
        ("post", "/api/v1/contacts/"),
        ("patch", "/api/v1/contacts/{contact}/"),
        ("post", "/api/v1/contacts/{contact}/deactivate/"),
        ("post", "/api/v1/notifications/mark-read/"),
        ("post", "/api/v1/milestones/"),
        ("patch", "/api/v1/milestones/{milestone}/"),
        ("post", "/api/v1/milestones/{milestone}/complete/"),
        ("post", "/api/v1/milestones/{milestone}/cancel/"),
        ("post", "/api/v1/meetings/"),
        ("patch", "/api/v1/meetings/{meeting}/"),
        ("post", "/api/v1/outreach-events/"),
        ("patch", "/api/v1/outreach-events/{event}/"),
    ],
)
def test_every_write_of_a_read_only_token_is_a_403(method, path, doc_admin, doc_item, doc, moa):
    update = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_admin, as_of=moa.executed_on
    )
    contact = moa.points_of_contact.filter(party=doc).first()
    meeting = MeetingFactory(agreement=moa, organiser=doc_admin)
    event = OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_admin)
    milestone = MilestoneFactory(commitment=doc_item, owner_user=doc_admin, due_on=moa.executed_on)
    api = client_with(make_token(doc_admin, AccessToken.Scope.READ))
    url = path.format(
        update=update.pk,
        item=doc_item.pk,
        contact=contact.pk,
        meeting=meeting.pk,
        event=event.pk,
        milestone=milestone.pk,
    )

    def counts():
        return [
            m.objects.count() for m in (ProgressUpdate, PointOfContact, Meeting, OutreachEvent, Milestone)
        ]

    before = counts()
    contact_version = contact.version
    body = {"narrative": "x", "completed_on": str(moa.executed_on), "cancel_reason": "x"}
    response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH=f'"{contact_version}"')
    assert response.status_code == 403
    assert counts() == before
    assert PointOfContact.objects.get(pk=contact.pk).version == contact_version
    assert Meeting.objects.get().version == OutreachEvent.objects.get().version == 1
    assert Milestone.objects.get().version == 1


def test_staff_of_the_lead_party_plan_milestones_and_others_are_refused(doc_staff, dhs_staff, doc_item):
    data = {
        "commitment": doc_item.pk,
        "title": "Draft plan",
        "due_on": "2018-06-30",
        "owner_user": doc_staff.pk,
    }
    assert (
        client_with(make_token(dhs_staff)).post("/api/v1/milestones/", data, format="json").status_code == 403
    )
    assert not Milestone.objects.exists()
    response = client_with(make_token(doc_staff)).post("/api/v1/milestones/", data, format="json")
    assert response.status_code == 201, response.json()
    assert Milestone.objects.get().owner_user == doc_staff
