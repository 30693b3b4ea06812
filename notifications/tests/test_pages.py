"""The in-app notification list, the unread count in the header, and mute preferences."""

import pytest
from django.urls import reverse

from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory
from notifications.models import Kind, Mute, Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="reader", roles=[STAFF])


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_list_needs_a_signed_in_user(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_the_users_own_notices_only(signed_in, user):
    NotificationFactory(user=user, subject="Reminder: your call")
    NotificationFactory(subject="Reminder: someone else's call")
    page = signed_in.get(reverse("notifications:list")).content.decode()
    assert "Reminder: your call" in page
    assert "someone else" not in page


def test_muted_notices_are_not_listed(signed_in, user):
    NotificationFactory(user=user, subject="Muted one", status=Notification.Status.MUTED)
    assert "Muted one" not in signed_in.get(reverse("notifications:list")).content.decode()


def test_user_typed_text_is_shown_escaped(signed_in, user):
    NotificationFactory(user=user, subject="<script>alert(1)</script>")
    page = signed_in.get(reverse("notifications:list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_header_shows_the_unread_count(signed_in, user):
    NotificationFactory.create_batch(2, user=user)
    page = signed_in.get(reverse("agreements:list")).content.decode()
    assert '2<span class="visually-hidden"> unread</span>' in page


def test_mark_all_read_clears_the_count(signed_in, user):
    NotificationFactory.create_batch(2, user=user)
    response = signed_in.post(reverse("notifications:mark_all_read"), follow=True)
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert 'visually-hidden"> unread' not in response.content.decode()


def test_mark_all_read_needs_a_post(signed_in):
    assert signed_in.get(reverse("notifications:mark_all_read")).status_code == 405


def test_preferences_mute_a_kind(signed_in, user):
    response = signed_in.post(reverse("notifications:preferences"), {"muted": [Kind.STALE_DIGEST]})
    assert response.status_code == 302
    assert list(Mute.objects.filter(user=user).values_list("kind", flat=True)) == [Kind.STALE_DIGEST]


def test_preferences_do_not_offer_to_mute_the_term_notices(signed_in):
    page = signed_in.get(reverse("notifications:preferences")).content.decode()
    assert Kind.STALE_DIGEST.value in page
    assert f'value="{Kind.TERM_NOTICE.value}"' not in page


def test_preferences_refuse_a_term_notice_mute(signed_in, user):
    response = signed_in.post(reverse("notifications:preferences"), {"muted": [Kind.TERM_NOTICE]})
    assert response.status_code == 200
    assert not Mute.objects.filter(user=user).exists()
