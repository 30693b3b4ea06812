"""A user sees through the API exactly what they see in the browser (the pages' selectors)."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from activities.models import ProgressUpdate
from activities.tests.factories import ProgressUpdateFactory
from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from api.models import AccessToken
from core.time import today

from .conftest import client_with, make_token

pytestmark = pytest.mark.django_db


def _all_pages(api, url: str) -> list[dict]:
    rows = []
    while url:
        body = api.get(url).json()
        rows.extend(body["results"])
        url = body["next"]
    return rows


@pytest.fixture
def other_agreements(doc, dhs):
    """Beside the MOA: a draft DOC is on (its admins only see it), and one DOC is not on."""
    AgreementFactory(slug="doc-draft", parties=[doc, dhs], executed_on=None, obligations=[])
    AgreementFactory(slug="not-doc", parties=[dhs, PartyFactory(acronym="TSA")], obligations=[])


@pytest.mark.parametrize("who", ["doc_staff", "doc_admin", "outsider", "no_role", "superuser"])
def test_a_token_made_on_the_tokens_page_lists_exactly_the_agreements_of_the_list_page(
    who, client, request, other_agreements, doc
):
    users = {
        "no_role": lambda: UserFactory(username="no.role", party=doc),
        "superuser": lambda: UserFactory(username="root", is_superuser=True),
    }
    user = users[who]() if who in users else request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("agreements:list"), {"page": 1})
    browser = {a.slug for a in page.context["page_obj"].paginator.object_list}
    made = client.post(
        reverse("tokens:list"),
        {
            "name": "compare",
            "scope": "read",
            "expires_on": (today() + datetime.timedelta(days=5)),
        },
    )
    api = client_with(made.context["new"].raw)
    assert {a["slug"] for a in _all_pages(api, "/api/v1/agreements/?page_size=1")} == browser
    for slug in {"doc-draft", "not-doc", "doc-dhs-ecommerce-moa-2017"} - browser:
        assert api.get(f"/api/v1/agreements/{slug}/").status_code == 404


def test_the_commitment_filters_are_the_list_pages(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(reverse("activities:commitment_list"), {"party": "DHS", "kind": "action_item"})
    api = client_with(make_token(doc_staff, AccessToken.Scope.READ))
    rows = _all_pages(api, "/api/v1/commitments/?party=DHS&kind=action_item&page_size=100")
    assert {r["code"] for r in rows} == {c.code for c in page.context["filter"].qs}
    assert rows and all("DHS" in r["lead_parties"] for r in rows)


def test_a_filter_value_the_page_refuses_is_a_400(doc_staff, moa):
    api = client_with(make_token(doc_staff, AccessToken.Scope.READ))
    assert api.get("/api/v1/commitments/?status=nonsense").status_code == 400
    assert api.get("/api/v1/meetings/?quarter=2018-Q9").status_code == 400


def test_an_agreement_shows_its_term_and_its_obligations_with_their_periods(doc_staff, moa):
    body = client_with(make_token(doc_staff)).get(f"/api/v1/agreements/{moa.slug}/").json()
    assert body["term"]["starts_on"] == moa.executed_on.isoformat()
    assert body["obligations"] and body["obligations"][0]["periods"][0]["due_on"]


def test_progress_updates_of_agreements_not_visible_are_not_listed(doc_staff, outsider, moa, doc):
    item = moa.commitments.filter(lead_parties=doc).first()
    ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on)
    assert len(client_with(make_token(doc_staff)).get("/api/v1/progress-updates/").json()["results"]) == 1
    assert client_with(make_token(outsider)).get("/api/v1/progress-updates/").json()["results"] == []


def test_cursor_pages_cover_every_record_once(doc_staff, moa):
    api = client_with(make_token(doc_staff))
    rows = _all_pages(api, "/api/v1/clauses/?page_size=7")
    assert len(rows) == len({r["id"] for r in rows}) == moa.sections.count()


def test_too_many_requests_are_throttled(doc_staff, moa):
    raw = make_token(doc_staff)
    cache.delete(f"throttle_user_{doc_staff.pk}")
    with override_settings(API_THROTTLE_RATES={"user": "2/minute", "anon": "2/minute"}):
        api = client_with(raw)
        answers = [api.get("/api/v1/agreements/").status_code for _ in range(3)]
    cache.delete(f"throttle_user_{doc_staff.pk}")
    assert answers == [200, 200, 429]


def test_a_user_without_a_role_sees_nothing(doc):
    user = UserFactory(username="roleless", party=doc)
    api = client_with(make_token(user))
    assert api.get("/api/v1/agreements/").json()["results"] == []
    assert api.get("/api/v1/commitments/").json()["results"] == []


def test_admins_see_drafts_of_their_party_as_on_the_page(doc, dhs):
    AgreementFactory(slug="doc-draft", parties=[doc, dhs], executed_on=None, obligations=[])
    admin = UserFactory(username="adm", party=doc, roles=[ADMIN])
    staff = UserFactory(username="stf", party=doc, roles=[STAFF])
    assert client_with(make_token(admin)).get("/api/v1/agreements/doc-draft/").status_code == 200
    assert client_with(make_token(staff)).get("/api/v1/agreements/doc-draft/").status_code == 404
    assert ProgressUpdate.objects.count() == 0


def test_an_admin_lists_their_partys_webhooks_without_their_secrets(doc, dhs):
    from notifications.services import webhook_create

    doc_admin = UserFactory(username="adm", party=doc, roles=[ADMIN])
    dhs_admin = UserFactory(username="dhs-adm", party=dhs, roles=[ADMIN])
    staff = UserFactory(username="stf", party=doc, roles=[STAFF])
    hook, secret = webhook_create(
        acting_user=doc_admin,
        party=doc,
        name="DOC ERP",
        url="http://127.0.0.1:9/erp",
        events=["update.logged"],
        format="standard",
    )
    listed = client_with(make_token(doc_admin)).get("/api/v1/webhooks/")
    assert [(w["name"], w["party"], w["events"]) for w in listed.json()["results"]] == [
        ("DOC ERP", "DOC", ["update.logged"])
    ]
    assert secret not in listed.content.decode()
    assert client_with(make_token(dhs_admin)).get("/api/v1/webhooks/").json()["results"] == []
    assert client_with(make_token(staff)).get(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
