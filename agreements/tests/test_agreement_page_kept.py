"""The agreement page's body (term, item lists, text) is kept rendered until the records
change; what is the user's own on the page (the acts of their party) is never kept."""

import pytest

from agreements.models import Commitment
from agreements.tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db
BODY = "agreements/_agreement_body.html"


def _body_rendered(response) -> bool:
    return BODY in [t.name for t in response.templates]


def test_a_second_view_with_nothing_changed_serves_the_kept_body(client, doc_staff, moa):
    client.force_login(doc_staff)
    first = client.get(moa.get_absolute_url())
    again = client.get(moa.get_absolute_url())
    assert _body_rendered(first) and not _body_rendered(again)
    item = moa.commitments.get(code="VI.5")
    assert item.get_absolute_url() in again.content.decode()


def test_an_item_added_after_a_view_shows_on_the_next_view(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    client.get(moa.get_absolute_url())
    item = CommitmentFactory(
        agreement=moa, kind=Commitment.Kind.OBJECTIVE, lead_party=doc, code="K.1", title="Keep the page true"
    )
    page = client.get(moa.get_absolute_url()).content.decode()
    assert item.get_absolute_url() in page and "Keep the page true" in page


def test_an_item_renamed_after_a_view_shows_renamed_on_the_next_view(client, doc_staff, moa):
    client.force_login(doc_staff)
    item = moa.commitments.get(code="VI.5")
    client.get(moa.get_absolute_url())
    item.title = "Renamed after the page was kept"
    item.save()
    assert "Renamed after the page was kept" in client.get(moa.get_absolute_url()).content.decode()


def test_an_admins_acts_are_not_kept_for_the_next_user(client, doc_admin, dhs_staff, moa):
    client.force_login(doc_admin)
    assert "Propose a modification" in client.get(moa.get_absolute_url()).content.decode()
    client.force_login(dhs_staff)
    response = client.get(moa.get_absolute_url())
    assert not _body_rendered(response)  # the body was kept by the admin's view
    assert "Propose a modification" not in response.content.decode()


def test_another_agreement_is_kept_apart(client, doc_staff, doc, moa):
    other = CommitmentFactory(agreement__parties=[doc], agreement__short_name="Other pact").agreement
    client.force_login(doc_staff)
    client.get(moa.get_absolute_url())
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Other pact" in page and moa.commitments.get(code="VI.5").get_absolute_url() not in page
