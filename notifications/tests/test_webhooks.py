"""Webhooks, against a real HTTP receiver on loopback (a small http.server thread, no mocks).

Deliveries are notices: claimed once per event and subscription, taken with a lease, retried
after a pause, failed when the retry window closes, resent from the operations page.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from activities.services import progress_update_create
from activities.tests.factories import MilestoneFactory
from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from notifications import webhook_events, webhooks
from notifications.models import Kind, Notification, WebhookSubscription
from notifications.services import (
    notices_claim,
    notices_deliver_pending,
    notices_resend,
    webhook_create,
    webhook_test_send,
)
from notifications.tests.receiver import Receiver, running_receiver, verify

# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


@pytest.fixture
def parties(db):
    return PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")


@pytest.fixture
def agreement(parties):
    return AgreementFactory(slug="pact", short_name="Pact", parties=list(parties))


@pytest.fixture
def aaa_admin(parties):
    return UserFactory(username="aaa.admin", party=parties[0], roles=[ADMIN])


def subscribe(receiver, party, user, *, events=("update.logged",), format="standard", path="/hook"):
    return webhook_create(
        acting_user=user,
        party=party,
        name="Receiver",
        url=receiver.url(path),
        events=list(events),
        format=format,
    )


def log_update(agreement, party, commitment=None, capture=None):
    commitment = commitment or CommitmentFactory(agreement=agreement, code="C1", title="Share data")
    author = UserFactory(party=party, roles=[STAFF])
    with capture(execute=True):
        return progress_update_create(
            commitment=commitment,
            acting_user=author,
            reporting_party=party,
            as_of=datetime.date(2024, 3, 1),
            status="on_track",
            percent_complete=40,
            narrative="Private words of the narrative.",
        )


# --- signature and payload ---------------------------------------------------------------------


def test_a_delivery_is_signed_as_standard_webhooks_verify_it(receiver, parties, aaa_admin):
    subscription, secret = subscribe(receiver, parties[0], aaa_admin)
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.SENT
    [got] = receiver.requests
    assert verify(secret, got.headers, got.body)
    assert got.headers["webhook-id"] == f"msg_moa_{delivery.pk}"
    assert abs(int(got.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 300
    assert got.headers["content-type"] == "application/json"
    assert not verify(webhooks.secret_new(), got.headers, got.body)


def test_a_rotated_secret_signs_the_next_delivery(receiver, parties, aaa_admin, client):
    subscription, old = subscribe(receiver, parties[0], aaa_admin)
    client.force_login(aaa_admin)
    page = client.post(reverse("webhooks:rotate", kwargs={"pk": subscription.pk}))
    new = WebhookSubscription.objects.get(pk=subscription.pk).secret
    assert page.status_code == 201 and new in page.content.decode() and new != old
    webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    got = receiver.requests[-1]
    assert verify(new, got.headers, got.body) and not verify(old, got.headers, got.body)


def test_an_update_logged_reaches_each_subscribed_party_of_the_agreement_once(
    receiver, parties, agreement, aaa_admin, django_capture_on_commit_callbacks
):
    aaa, bbb = parties
    bbb_admin = UserFactory(party=bbb, roles=[ADMIN])
    _, aaa_secret = subscribe(receiver, aaa, aaa_admin, path="/aaa")
    subscribe(receiver, bbb, bbb_admin, path="/bbb")
    subscribe(receiver, bbb, bbb_admin, events=["milestone.overdue"], path="/not-this-event")
    stranger = PartyFactory(acronym="CCC")
    subscribe(receiver, stranger, UserFactory(party=stranger, roles=[ADMIN]), path="/stranger")
    update = log_update(agreement, aaa, capture=django_capture_on_commit_callbacks)
    notices_deliver_pending()
    assert sorted(r.path for r in receiver.requests) == ["/aaa", "/bbb"]
    got = next(r for r in receiver.requests if r.path == "/aaa")
    assert verify(aaa_secret, got.headers, got.body)
    payload = json.loads(got.body)
    assert payload["type"] == "update.logged"
    assert payload["data"]["agreement"]["slug"] == "pact"
    assert payload["data"]["object"]["id"] == update.pk
    assert payload["data"]["object"]["url"].endswith(update.commitment.get_absolute_url())
    assert "Private words" not in got.body.decode()
    # The same event again (a re-sent signal) claims nothing more.
    assert notices_claim(notices=webhook_events.update_logged_notices(update)) == []


def test_a_paused_subscription_receives_nothing_new(
    receiver, parties, agreement, aaa_admin, client, django_capture_on_commit_callbacks
):
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    client.force_login(aaa_admin)
    client.post(reverse("webhooks:pause", kwargs={"pk": subscription.pk}), {"active": "0"})
    log_update(agreement, parties[0], capture=django_capture_on_commit_callbacks)
    notices_deliver_pending()
    assert receiver.requests == []
    assert not Notification.objects.filter(webhook=subscription).exists()


def test_a_milestone_overdue_is_delivered_once(receiver, parties, agreement, aaa_admin):
    subscribe(receiver, parties[0], aaa_admin, events=["milestone.overdue"])
    commitment = CommitmentFactory(agreement=agreement)
    milestone = MilestoneFactory(
        commitment=commitment, due_on=datetime.date(2024, 3, 1), owner_user=aaa_admin
    )
    on = datetime.date(2024, 3, 4)
    webhook_events.milestones_overdue_send(on=on)
    webhook_events.milestones_overdue_send(on=on + datetime.timedelta(days=1))
    [got] = receiver.requests
    assert json.loads(got.body)["data"]["object"] == {
        "type": "milestone",
        "id": milestone.pk,
        "title": milestone.title,
        "due_on": "2024-03-01",
        "commitment": {"code": commitment.code, "title": commitment.title},
        "url": json.loads(got.body)["data"]["url"],
    }


def test_a_notice_due_is_delivered_with_the_term_countdown(receiver, parties, agreement, aaa_admin):
    from notifications.jobs import term_notices_send

    subscribe(receiver, parties[0], aaa_admin, events=["notice.due"])
    term_notices_send(on=datetime.date(2024, 12, 16))  # 30 days before the factory agreement's expiry
    [got] = receiver.requests
    payload = json.loads(got.body)
    assert payload["type"] == "notice.due"
    assert payload["data"]["object"]["target"] == "expiry"
    assert payload["data"]["object"]["days_left"] == 30


def test_teams_and_slack_get_their_incoming_webhook_shapes(receiver, parties, aaa_admin):
    teams, _ = subscribe(receiver, parties[0], aaa_admin, format="teams", path="/teams")
    slack, _ = subscribe(receiver, parties[0], aaa_admin, format="slack", path="/slack")
    webhook_test_send(acting_user=aaa_admin, subscription=teams)
    webhook_test_send(acting_user=aaa_admin, subscription=slack)
    card = receiver.json(0)
    assert card["type"] == "message"
    [attachment] = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert attachment["content"]["actions"][0]["type"] == "Action.OpenUrl"
    message = receiver.json(1)
    assert "Test event" in message["text"]
    assert message["blocks"][0]["type"] == "section"
    assert message["blocks"][0]["text"]["type"] == "mrkdwn"


# --- retries, failure, resend ------------------------------------------------------------------


def test_a_500_is_retried_after_its_pause_and_then_delivered(receiver, parties, aaa_admin, settings):
    settings.NOTIFICATION_RETRY_FIRST_SECONDS = 0
    subscription, secret = subscribe(receiver, parties[0], aaa_admin)
    receiver.answers.append((500, {}))
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.PENDING
    assert delivery.attempts == 1 and delivery.last_error.startswith("WebhookRefused: HTTP 500")
    assert notices_deliver_pending() == 1
    delivery.refresh_from_db()
    assert delivery.status == Notification.Status.SENT and delivery.attempts == 2
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # the same message, tried again
    assert verify(secret, second.headers, second.body)


def test_a_redirect_is_not_followed(receiver, parties, aaa_admin):
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    receiver.answers.append((302, {"Location": receiver.url("/elsewhere")}))
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.PENDING and "HTTP 302" in delivery.last_error
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_delivery_failing_past_its_retry_window_is_failed_and_resent_from_operations(
    receiver, parties, aaa_admin, settings, client
):
    settings.NOTIFICATION_RETRY_HOURS = 0
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    receiver.answers.append((503, {}))
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.FAILED
    settings.NOTIFICATION_RETRY_HOURS = 72
    client.force_login(aaa_admin)
    operations = client.get(reverse("operations:page")).content.decode()
    assert "HTTP 503" in operations
    client.post(reverse("operations:resend"), {"notification": delivery.pk})
    assert notices_deliver_pending() == 1
    delivery.refresh_from_db()
    assert delivery.status == Notification.Status.SENT
    assert len(receiver.requests) == 2


def test_a_receiver_that_is_not_there_leaves_the_delivery_pending(parties, aaa_admin):
    subscription, _ = webhook_create(
        acting_user=aaa_admin,
        party=parties[0],
        name="Gone",
        url="http://127.0.0.1:9/",
        events=["update.logged"],
        format="standard",
    )
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.PENDING
    assert "ConnectionRefusedError" in delivery.last_error
    assert notices_resend(ids=[delivery.pk]) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_delivery_runs_post_each_delivery_once(receiver):
    party = PartyFactory(acronym="AAA")
    admin = UserFactory(party=party, roles=[ADMIN])
    subscriptions = [subscribe(receiver, party, admin, path=f"/{i}")[0] for i in range(5)]
    notices_claim(
        notices=[webhook_events.webhook_test_notice(s, occasion="simultaneous") for s in subscriptions]
    )
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            sent.append(notices_deliver_pending())
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(sent) == 5
    assert sorted(r.path for r in receiver.requests) == [f"/{i}" for i in range(5)]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


# --- SSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::1]/hook", "loopback"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://localhost/hook", "loopback"),  # a name that resolves to loopback
        ("https://0.0.0.0/hook", "reserved"),
        ("https://224.0.0.1/hook", "multicast"),
        ("http://93.184.215.14/hook", "https://"),
        ("https://user:secret@93.184.215.14/hook", "user name and password"),
        ("ftp://93.184.215.14/", "https://"),
        ("https:///nohost", "no host"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_production_refuses_urls_that_do_not_lead_to_a_public_https_address(settings, url, why):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    problem = webhooks.url_problem(url)
    assert problem is not None and why in problem


def test_production_accepts_a_public_https_address(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert webhooks.url_problem("https://93.184.215.14/hooks/moa?x=1") is None


def test_the_delivery_checks_the_address_again(receiver, parties, aaa_admin, settings):
    """A URL allowed when saved (or a name that now resolves elsewhere) is checked at each delivery."""
    subscription, _ = webhook_create(
        acting_user=aaa_admin,
        party=parties[0],
        name="Rebound",
        url=f"https://localhost:{receiver.port}/hook",
        events=["update.logged"],
        format="standard",
    )
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    delivery = webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    assert delivery.status == Notification.Status.PENDING
    assert "loopback" in delivery.last_error
    assert receiver.requests == []


def test_the_form_refuses_a_private_address_beside_the_field_and_saves_nothing(
    client, parties, aaa_admin, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client.force_login(aaa_admin)
    page = client.post(
        reverse("webhooks:create"),
        {"name": "ERP", "url": "https://10.0.0.8/hook", "events": ["update.logged"], "format": "standard"},
    )
    assert page.status_code == 200
    assert "a private address" in str(page.context["form"].errors["url"])
    assert 'id="id_url_error"' in page.content.decode()
    assert not WebhookSubscription.objects.exists()


# --- the pages ---------------------------------------------------------------------------------


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(client, receiver, parties, aaa_admin):
    client.force_login(aaa_admin)
    page = client.post(
        reverse("webhooks:create"),
        {
            "name": "ERP",
            "url": receiver.url(),
            "events": ["update.logged", "notice.due"],
            "format": "standard",
        },
    )
    subscription = WebhookSubscription.objects.get()
    assert page.status_code == 201 and subscription.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert subscription.party == parties[0] and subscription.events == ["update.logged", "notice.due"]
    assert subscription.secret not in client.get(reverse("webhooks:list")).content.decode()
    assert (
        subscription.secret
        not in client.get(reverse("webhooks:edit", kwargs={"pk": subscription.pk})).content.decode()
    )
    record = subscription.history.get()
    assert record.history_user == aaa_admin and not hasattr(record, "secret")


def test_an_edit_opened_before_anothers_save_is_refused_with_409(client, receiver, parties, aaa_admin):
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    client.force_login(aaa_admin)
    data = {"name": "New", "url": receiver.url(), "events": ["notice.due"], "format": "slack", "version": "1"}
    assert client.post(reverse("webhooks:edit", kwargs={"pk": subscription.pk}), data).status_code == 302
    again = client.post(reverse("webhooks:edit", kwargs={"pk": subscription.pk}), {**data, "name": "Stale"})
    assert again.status_code == 409
    assert WebhookSubscription.objects.get().name == "New"


def test_send_test_event_says_whether_it_arrived(client, receiver, parties, aaa_admin):
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    client.force_login(aaa_admin)
    page = client.post(reverse("webhooks:test", kwargs={"pk": subscription.pk}), follow=True)
    assert "The test event reached" in page.content.decode()
    assert receiver.json()["type"] == "webhook.test"


def test_deleting_a_webhook_drops_its_deliveries_not_made(client, parties, aaa_admin):
    subscription, _ = webhook_create(
        acting_user=aaa_admin,
        party=parties[0],
        name="Gone",
        url="http://127.0.0.1:9/",
        events=["update.logged"],
        format="standard",
    )
    webhook_test_send(acting_user=aaa_admin, subscription=subscription)
    client.force_login(aaa_admin)
    client.post(reverse("webhooks:delete", kwargs={"pk": subscription.pk}))
    assert not WebhookSubscription.objects.exists()
    assert not Notification.objects.filter(kind=Kind.WEBHOOK_TEST).exists()
    assert subscription.history.filter(history_type="-").get().history_user == aaa_admin


def test_another_partys_admin_does_not_find_the_webhook(client, receiver, parties, aaa_admin):
    subscription, _ = subscribe(receiver, parties[0], aaa_admin)
    client.force_login(UserFactory(party=parties[1], roles=[ADMIN]))
    for name in ("edit", "delete"):
        assert client.get(reverse(f"webhooks:{name}", kwargs={"pk": subscription.pk})).status_code == 404
    for name in ("pause", "rotate", "test", "delete"):
        assert client.post(reverse(f"webhooks:{name}", kwargs={"pk": subscription.pk})).status_code == 404
    assert receiver.requests == []


# --- no URL answers 500 ------------------------------------------------------------------------

URL_TEXT = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
        st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript", ""]),
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                [
                    "127.0.0.1",
                    "[::1]",
                    "[::ffff:10.0.0.1]",
                    "169.254.169.254",
                    "0x7f.1",
                    "2130706433",
                    "[fe80::1%25eth0]",
                    "xn--",
                    "a..b",
                    "-a-.com",
                    "é.example",
                    "localhost.",
                    "[",
                    "]",
                    "@",
                    "a@b@c",
                ]
            ),
        ),
        st.sampled_from(["", ":0", ":65535", ":65536", ":-1", ":x", ":99999999999999999999", ":"]),
        st.text(max_size=60),
    ),
    st.sampled_from(
        ["\x00", "https://\x00/", "https://a\u202e.com/", "https://" + "a" * 3000, "https://%00/"]
    ),
)


@given(url=URL_TEXT)
def test_any_url_typed_in_the_form_is_answered_without_a_500(client, parties, aaa_admin, settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    client.raise_request_exception = False
    client.force_login(aaa_admin)
    before = WebhookSubscription.objects.count()
    page = client.post(
        reverse("webhooks:create"),
        {"name": "Fuzz", "url": url, "events": ["update.logged"], "format": "standard"},
    )
    # 400: control characters, refused by the portal's middleware before any form sees them.
    assert page.status_code in (200, 201, 400), url
    if page.status_code != 201:
        assert WebhookSubscription.objects.count() == before
    if page.status_code == 200:
        assert page.context["form"].errors, url


@given(url=URL_TEXT)
def test_the_url_rules_answer_any_text_with_a_reason_or_none(settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    problem = webhooks.url_problem(url)
    assert problem is None or (isinstance(problem, str) and problem)
