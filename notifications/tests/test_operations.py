"""What an operator sees and does: job runs, the operations page, Resend, the detail health and metrics."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from activities.tests.factories import MilestoneFactory
from agreements.permissions import MANAGER
from agreements.tests.factories import AgreementFactory, PartyFactory, UserFactory
from notifications.models import JobRun, Notification, Resend
from notifications.tasks import send_stale_digests, send_term_notices
from notifications.tests.factories import NotificationFactory, PointOfContactFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
REFUSING = "notifications.tests.backends.RefusingEmailBackend"


def failed_notice(**kwargs) -> Notification:
    return NotificationFactory(
        status=Notification.Status.FAILED, attempts=60, last_error="ConnectionRefusedError: down", **kwargs
    )


@pytest.fixture
def expiring():
    """An agreement whose term ends on 2025-01-15, with a manager on each side."""
    parties = [PartyFactory(acronym="AAA"), PartyFactory(acronym="BBB")]
    UserFactory(username="a.manager", party=parties[0], roles=[MANAGER])
    UserFactory(username="b.manager", party=parties[1], roles=[MANAGER])
    return AgreementFactory(parties=parties)


def test_a_job_run_is_recorded_with_what_it_claimed_and_sent(expiring):
    assert send_term_notices.apply(kwargs={"on": "2025-01-15"}).get() == 2
    run = JobRun.objects.get(job=send_term_notices.name)
    assert (run.outcome, run.claimed, run.sent, run.failed) == (JobRun.Outcome.SUCCEEDED, 2, 2, 0)
    assert run.finished_at >= run.started_at


@override_settings(EMAIL_BACKEND=REFUSING)
def test_a_job_whose_sends_fail_returns_the_sends_not_the_claims(expiring):
    assert send_term_notices.apply(kwargs={"on": "2025-01-15"}).get() == 0
    run = JobRun.objects.get(job=send_term_notices.name)
    # The server is down: the first send fails and the run leaves the other for the sweep.
    assert (run.claimed, run.sent, run.failed) == (2, 0, 1)


def test_the_zero_day_notice_missed_on_expiry_day_is_sent_the_day_after(expiring):
    assert send_term_notices.apply(kwargs={"on": "2025-01-16"}).get() == 2
    assert set(Notification.objects.values_list("occasion", flat=True)) == {
        "expires 2025-01-15, 0 days before"
    }
    assert "expired on January 15, 2025" in mail.outbox[0].subject


def test_an_agreement_expired_longer_than_the_catch_up_gets_nothing(expiring, settings):
    settings.NOTICE_CATCH_UP_DAYS = 3
    assert send_term_notices.apply(kwargs={"on": "2025-01-19"}).get() == 0


def test_a_contacts_digest_has_no_portal_links_and_a_users_has(settings):
    settings.PORTAL_URL = "https://moa.example.gov"
    agreement = AgreementFactory()
    user = UserFactory(username="owner")
    contact = PointOfContactFactory(agreement=agreement, email="outside@partner.example")
    day = datetime.date(2021, 6, 28)
    due = day - datetime.timedelta(days=3)
    MilestoneFactory(commitment__agreement=agreement, owner_user=user, due_on=due)
    MilestoneFactory(
        commitment__agreement=agreement, owner_user=None, owner_contact=contact, created_by=user, due_on=due
    )
    send_stale_digests.apply(kwargs={"on": day.isoformat()})
    by_address = {m.to[0]: m for m in mail.outbox}
    outside, inside = by_address["outside@partner.example"], by_address["owner@example.gov"]
    assert "moa.example.gov" not in outside.body and "moa.example.gov" not in outside.alternatives[0].content
    assert "https://moa.example.gov/" in inside.body
    assert outside.subject.startswith("Your week of June 28, 2021 (2021-W26): ")


def test_the_operations_page_shows_each_jobs_last_run_and_the_failed_notices(client, doc_admin):
    call_command("setup_schedule")
    JobRun.objects.create(
        job="notifications.tasks.send_term_notices",
        finished_at=timezone.now(),
        outcome=JobRun.Outcome.SUCCEEDED,
        claimed=4,
        sent=3,
        failed=1,
    )
    failed_notice(subject="Agreement X expires today")
    client.force_login(doc_admin)
    page = client.get(reverse("operations:page")).content.decode()
    assert "Term countdown notices" in page
    assert '<td data-label="Claimed" class="text-end">4</td>' in page
    assert "Agreement X expires today" in page and "ConnectionRefusedError: down" in page
    assert "Resend all 1 failed" in page


@pytest.mark.parametrize("who", ["doc_staff", "doc_manager"])
def test_only_admins_may_resend(client, who, request):
    notice = failed_notice()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("operations:page")).status_code == 403
    assert client.post(reverse("operations:resend"), {"notification": notice.pk}).status_code == 403
    assert client.post(reverse("operations:resend"), {"all": "1"}).status_code == 403
    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED and not Resend.objects.exists()


def test_an_admin_resends_one_notice_and_it_is_recorded(client, doc_admin):
    notice, other = failed_notice(), failed_notice()
    client.force_login(doc_admin)
    response = client.post(reverse("operations:resend"), {"notification": notice.pk})
    assert response.status_code == 302
    notice.refresh_from_db(), other.refresh_from_db()
    assert notice.status == Notification.Status.PENDING and other.status == Notification.Status.FAILED
    resend = Resend.objects.get()
    assert (resend.requested_by, resend.notification, resend.count) == (doc_admin, notice, 1)


def test_an_admin_resends_all_failed(client, doc_admin):
    failed_notice(), failed_notice()
    client.force_login(doc_admin)
    client.post(reverse("operations:resend"), {"all": "1"})
    assert not Notification.objects.filter(status=Notification.Status.FAILED).exists()
    assert Resend.objects.get().count == 2


def test_the_resend_command_sends_a_failed_notice_now():
    notice = failed_notice()
    call_command("notices_resend", str(notice.pk))
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[notice.email]]


def test_the_resend_command_sends_every_failed_notice():
    failed_notice(), failed_notice()
    call_command("notices_resend", "--all-failed")
    assert len(mail.outbox) == 2


def test_the_resend_command_refuses_an_unknown_id():
    with pytest.raises(CommandError, match="No notice with id 999"):
        call_command("notices_resend", "999")


# --- /healthz/detail and /metrics -------------------------------------------------------


def test_the_detail_needs_the_token_or_an_admin(client, settings, doc_staff):
    settings.HEALTHZ_TOKEN = "s3cret-token"
    assert client.get(reverse("healthz_detail")).status_code == 403
    assert client.get(reverse("healthz_detail"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(doc_staff)
    assert client.get(reverse("healthz_detail")).status_code == 403
    client.logout()
    response = client.get(reverse("healthz_detail"), HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert {"database", "broker", "cache", "jobs", "worker", "notices", "state"} <= set(response.json())


def test_without_a_token_set_no_bearer_opens_the_detail(client, settings):
    settings.HEALTHZ_TOKEN = ""
    assert client.get(reverse("healthz_detail"), HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_the_detail_reports_a_failed_notice_and_a_late_job(client, doc_admin):
    call_command("setup_schedule")
    with time_machine.travel(datetime.datetime(2025, 1, 10, 7, 0, 5, tzinfo=NY)):
        JobRun.objects.create(
            job="notifications.tasks.send_term_notices", finished_at=timezone.now(), outcome="succeeded"
        )
    failed_notice()
    client.force_login(doc_admin)
    with time_machine.travel(datetime.datetime(2025, 1, 12, 9, 0, tzinfo=NY)):
        report = client.get(reverse("healthz_detail")).json()
    assert report["notices"] == {"state": "fail", "failed": 1, "pending": 0, "overdue": 0}
    term = report["jobs"]["notifications.tasks.send_term_notices"]
    assert term["state"] == "fail" and term["late_seconds"] > 24 * 3600
    assert report["state"] == "fail"


def test_a_job_run_on_schedule_is_ok(client, doc_admin):
    call_command("setup_schedule")
    with time_machine.travel(datetime.datetime(2025, 1, 10, 7, 0, 5, tzinfo=NY)):
        JobRun.objects.create(
            job="notifications.tasks.send_term_notices", finished_at=timezone.now(), outcome="succeeded"
        )
    client.force_login(doc_admin)
    with time_machine.travel(datetime.datetime(2025, 1, 11, 6, 0, tzinfo=NY)):
        report = client.get(reverse("healthz_detail")).json()
    assert report["jobs"]["notifications.tasks.send_term_notices"]["state"] == "ok"


def test_the_worker_heartbeat_is_reported(client, doc_admin):
    from notifications.worker import heartbeat

    heartbeat()
    client.force_login(doc_admin)
    worker = client.get(reverse("healthz_detail")).json()["worker"]
    assert worker["state"] == "ok" and worker["heartbeat_age_seconds"] <= 1


def test_metrics_expose_the_counts_latency_and_job_durations(client, settings):
    settings.HEALTHZ_TOKEN = "s3cret-token"
    call_command("setup_schedule")
    JobRun.objects.create(
        job="notifications.tasks.send_term_notices",
        started_at=timezone.now() - datetime.timedelta(seconds=3),
        finished_at=timezone.now(),
        outcome="succeeded",
        sent=2,
    )
    failed_notice()
    assert client.get(reverse("metrics")).status_code == 403
    client.get(reverse("healthz"))
    body = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert 'moa_notices{state="failed"} 1.0' in body
    assert 'moa_job_last_run_notices{job="notifications.tasks.send_term_notices",what="sent"} 2.0' in body
    assert 'moa_job_last_duration_seconds{job="notifications.tasks.send_term_notices"} 3.0' in body
    assert 'moa_request_duration_seconds_count{method="GET",status="2xx",view="healthz"}' in body
    assert "moa_worker_heartbeat_age_seconds" in body


def test_a_restarted_worker_closes_the_runs_its_killed_self_left_open():
    from notifications.worker import worker_ready

    JobRun.objects.create(job="notifications.tasks.send_term_notices", worker="celery@here")
    JobRun.objects.create(job="notifications.tasks.send_term_notices", worker="celery@elsewhere")
    worker_ready(hostname="celery@here", queues=[])
    assert dict(JobRun.objects.values_list("worker", "outcome")) == {
        "celery@here": JobRun.Outcome.FAILED,
        "celery@elsewhere": JobRun.Outcome.RUNNING,
    }
    assert JobRun.objects.get(worker="celery@here").error == "The worker stopped during the run."


def test_a_started_worker_writes_its_heartbeat(monkeypatch):
    from django.core.cache import cache

    from notifications import worker
    from notifications.worker import HEARTBEAT_KEY, last_heartbeat, worker_ready

    monkeypatch.setattr(worker, "_heartbeat", None)  # as in a new process
    cache.delete(HEARTBEAT_KEY)
    worker_ready(hostname="celery@here", queues=[])
    deadline = time.monotonic() + 5
    while last_heartbeat() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert timezone.now() - last_heartbeat() < datetime.timedelta(seconds=5)
