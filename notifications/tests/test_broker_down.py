"""With the broker unreachable, pages still answer and progress is still saved."""

import socket

import pytest
from django.urls import reverse

from activities.models import ProgressUpdate
from activities.services import update_logged_announce
from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory
from core import cache as data_cache
from moa_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_unreachable(settings):
    """Point the broker (settings and the Celery app's connection pools) at a closed port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    saved = celery_app.conf.broker_url

    def reset_pools():
        # Forget (do not close: kombu shares them by URL) the pools made for the other URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    settings.CELERY_BROKER_URL = url
    celery_app.conf.broker_url = url
    reset_pools()
    yield url
    celery_app.conf.broker_url = saved
    reset_pools()


def test_pages_answer_with_the_broker_unreachable(client, broker_unreachable):
    assert client.get(reverse("login")).status_code == 200
    client.force_login(UserFactory(roles=[STAFF]))
    assert client.get(reverse("agreements:list")).status_code == 200
    assert client.get(reverse("notifications:list")).status_code == 200
    health = client.get(reverse("healthz"))
    assert health.status_code == 200
    assert health.json()["broker"].startswith("error")


def test_a_progress_update_saves_through_its_form_with_the_broker_unreachable(
    client, broker_unreachable, moa, doc, doc_staff, django_capture_on_commit_callbacks
):
    url = reverse("activities:update_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    data = {
        "as_of": "2021-06-30",
        "status": "on_track",
        "percent_complete": "40",
        "narrative": "Saved while Redis is down.",
        "reporting_party": str(doc.pk),
    }
    client.force_login(doc_staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302
    # Nothing is queued for the broker (the page never waits on it); the only work left for the
    # commit is moving the dashboard cache's data version and announcing the update (to webhooks:
    # none are subscribed here, so nothing is queued).
    assert all(
        c is data_cache.move_data_version or getattr(c, "func", None) is update_logged_announce
        for c in callbacks
    )
    assert ProgressUpdate.objects.filter(
        commitment__code="DOC-A1", narrative="Saved while Redis is down."
    ).exists()
    assert "Update saved for DOC-A1" in client.get(response.url).content.decode()
