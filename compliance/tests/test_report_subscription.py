"""Subscribing to an agreement's quarterly report: managers and admins of its parties only,
GET and POST alike; unsubscribing; both on the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.permissions import MANAGER, STAFF, role_groups
from agreements.tests.factories import UserFactory
from compliance.models import ReportSubscription

pytestmark = pytest.mark.django_db


def url(agreement) -> str:
    return reverse("compliance:report_subscription", kwargs={"slug": agreement.slug})


@pytest.fixture
def dhs_manager(dhs):
    return UserFactory(username="dhs.manager", party=dhs, roles=[MANAGER])


@pytest.mark.parametrize("who", ["doc_manager", "doc_admin", "dhs_manager"])
def test_a_manager_or_admin_of_a_party_opens_the_subscription_page(client, moa, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(moa))
    assert response.status_code == 200
    assert b'name="subscribe" value="1"' in response.content


@pytest.mark.parametrize("who", ["doc_manager", "doc_admin", "dhs_manager"])
def test_a_manager_or_admin_of_a_party_subscribes_by_post(client, moa, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(url(moa), {"subscribe": "1"})
    assert response.status_code == 302
    assert ReportSubscription.objects.filter(user=user, agreement=moa).count() == 1


def test_staff_are_refused_the_page(client, moa, doc_staff):
    client.force_login(doc_staff)
    assert client.get(url(moa)).status_code == 403


def test_staff_are_refused_a_subscription_and_nothing_is_saved(client, moa, doc_staff):
    client.force_login(doc_staff)
    assert client.post(url(moa), {"subscribe": "1"}).status_code == 403
    assert not ReportSubscription.objects.exists()


def test_a_user_of_another_party_does_not_learn_the_agreement_exists(client, moa, outsider):
    client.force_login(outsider)
    assert client.get(url(moa)).status_code == 404
    assert client.post(url(moa), {"subscribe": "1"}).status_code == 404
    assert not ReportSubscription.objects.exists()


def test_a_manager_of_another_party_is_refused(client, moa, outsider):
    outsider.groups.clear()
    manager = UserFactory(username="npa.manager", party=outsider.membership.party, roles=[MANAGER])
    client.force_login(manager)
    assert client.get(url(moa)).status_code == 404
    assert client.post(url(moa), {"subscribe": "1"}).status_code == 404
    assert not ReportSubscription.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, moa):
    assert client.get(url(moa)).status_code == 302
    assert client.post(url(moa), {"subscribe": "1"}).status_code == 302
    assert not ReportSubscription.objects.exists()


def test_subscribing_twice_keeps_one_subscription(client, moa, doc_manager):
    client.force_login(doc_manager)
    client.post(url(moa), {"subscribe": "1"})
    client.post(url(moa), {"subscribe": "1"})
    assert ReportSubscription.objects.filter(user=doc_manager).count() == 1


def test_unsubscribing_deletes_the_subscription_and_the_trail_keeps_both(client, moa, doc_manager):
    client.force_login(doc_manager)
    client.post(url(moa), {"subscribe": "1"})
    response = client.post(url(moa), {"subscribe": "0"}, follow=True)
    assert not ReportSubscription.objects.exists()
    assert b'name="subscribe" value="1"' in response.content
    kinds = list(ReportSubscription.history.order_by("history_date").values_list("history_type", flat=True))
    assert kinds == ["+", "-"]


def test_someone_who_lost_the_role_may_still_unsubscribe(client, moa, doc_manager):
    ReportSubscription.objects.create(user=doc_manager, agreement=moa)
    doc_manager.groups.clear()
    client.force_login(doc_manager)
    assert client.get(url(moa)).status_code == 200
    assert client.post(url(moa), {"subscribe": "0"}).status_code == 302
    assert not ReportSubscription.objects.exists()


def test_someone_who_lost_the_role_may_not_subscribe_again(client, moa, doc_manager):
    ReportSubscription.objects.create(user=doc_manager, agreement=moa)
    doc_manager.groups.set(role_groups([STAFF]))
    client.force_login(doc_manager)
    client.post(url(moa), {"subscribe": "0"})
    assert client.post(url(moa), {"subscribe": "1"}).status_code == 403
    assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize("value", ["", "2", "yes"])
def test_a_post_without_a_choice_answers_400_naming_it(client, moa, doc_manager, value):
    client.force_login(doc_manager)
    response = client.post(url(moa), {"subscribe": value})
    assert response.status_code == 400
    assert b"Choose to subscribe or to unsubscribe." in response.content
    assert not ReportSubscription.objects.exists()


def test_the_report_page_offers_the_subscription_to_a_manager(client, moa, doc_manager):
    client.force_login(doc_manager)
    response = client.get(reverse("compliance:report") + f"?agreement={moa.slug}")
    assert url(moa).encode() in response.content
    assert b"Send me this report by e-mail each quarter" in response.content


def test_the_report_page_offers_an_unsubscribe_to_a_subscriber(client, moa, doc_manager):
    ReportSubscription.objects.create(user=doc_manager, agreement=moa)
    client.force_login(doc_manager)
    response = client.get(reverse("compliance:report") + f"?agreement={moa.slug}")
    assert b"Unsubscribe" in response.content
