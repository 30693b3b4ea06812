"""The quarterly report by e-mail: a subscriber receives the report's PDF after each quarter's end,
through the notices' delivery to a real SMTP server on loopback, once per subscription and
quarter however often the job runs."""

from __future__ import annotations

import datetime
import io
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from agreements.permissions import ADMIN, MANAGER, STAFF, role_groups
from agreements.tests.factories import UserFactory
from compliance.models import ReportSubscription
from moa_portal.tasks import quarterly_reports_send, send_quarterly_reports
from moa_portal.tests.smtp import RecordingSMTP
from notifications.models import Kind, Notification
from notifications.services import notices_deliver_pending

NY = ZoneInfo("America/New_York")
SUBSCRIBED = datetime.datetime(2018, 2, 1, 9, 0, tzinfo=NY)  # during 2018 Q1
AFTER_Q1 = datetime.date(2018, 4, 2)  # the quarter ended on March 31


def _smtp_settings(settings, server: RecordingSMTP) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings):
    server = RecordingSMTP()
    _smtp_settings(settings, server)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def manager(doc):
    return UserFactory(username="doc.report.manager", party=doc, roles=[MANAGER], email="manager@example.gov")


def subscribe(user, agreement, at: datetime.datetime = SUBSCRIBED) -> ReportSubscription:
    return ReportSubscription.objects.create(user=user, agreement=agreement, created_at=at)


def messages_to(smtp: RecordingSMTP, address: str) -> list[EmailMessage]:
    with smtp.recorder.lock:
        return [
            message_from_bytes(data, policy=policy.default)  # type: ignore[misc]
            for rcpts, data in smtp.recorder.messages
            if address in rcpts
        ]


def pdf_of(message: EmailMessage) -> tuple[str, PdfReader]:
    [part] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), PdfReader(io.BytesIO(part.get_payload(decode=True)))


@pytest.mark.django_db
def test_a_subscriber_receives_the_quarters_report_as_a_pdf_naming_the_agreement(smtp, moa, manager):
    subscribe(manager, moa)
    sent = quarterly_reports_send(on=AFTER_Q1)
    assert len(sent) == 1
    [message] = messages_to(smtp, "manager@example.gov")
    assert str(message["Subject"]).strip() == f"{moa.short_name}: quarterly report, 2018 Q1"
    filename, pdf = pdf_of(message)
    assert filename == f"{moa.slug}-report-2018-03-31.pdf"
    assert len(pdf.pages) >= 1
    assert all(moa.short_name in page.extract_text() for page in pdf.pages)
    assert "2018 Q1" in pdf.pages[0].extract_text()


@pytest.mark.django_db
def test_running_the_job_twice_sends_the_report_once(smtp, moa, manager):
    subscribe(manager, moa)
    assert send_quarterly_reports(AFTER_Q1.isoformat()) == 1
    assert send_quarterly_reports((AFTER_Q1 + datetime.timedelta(days=1)).isoformat()) == 0
    assert len(messages_to(smtp, "manager@example.gov")) == 1
    assert Notification.objects.filter(kind=Kind.QUARTERLY_REPORT).count() == 1


@pytest.mark.django_db
def test_the_next_quarters_report_is_sent_after_that_quarters_end(smtp, moa, manager):
    subscribe(manager, moa)
    quarterly_reports_send(on=AFTER_Q1)
    quarterly_reports_send(on=datetime.date(2018, 6, 30))  # Q2 not over: nothing new
    quarterly_reports_send(on=datetime.date(2018, 7, 1))
    subjects = [str(m["Subject"]).strip() for m in messages_to(smtp, "manager@example.gov")]
    assert subjects == [
        f"{moa.short_name}: quarterly report, 2018 Q1",
        f"{moa.short_name}: quarterly report, 2018 Q2",
    ]
    assert pdf_of(messages_to(smtp, "manager@example.gov")[1])[0] == f"{moa.slug}-report-2018-06-30.pdf"


@pytest.mark.django_db
def test_a_subscription_made_after_the_quarters_end_waits_for_the_next_quarter(smtp, moa, manager):
    subscribe(manager, moa, at=datetime.datetime(2018, 4, 1, 9, 0, tzinfo=NY))
    assert quarterly_reports_send(on=AFTER_Q1) == []
    assert messages_to(smtp, "manager@example.gov") == []


@pytest.mark.django_db
def test_a_subscriber_who_is_no_longer_a_manager_receives_nothing(smtp, moa, manager):
    subscribe(manager, moa)
    manager.groups.set(role_groups([STAFF]))
    assert quarterly_reports_send(on=AFTER_Q1) == []


@pytest.mark.django_db
def test_an_admin_subscriber_receives_the_report(smtp, moa, doc):
    admin = UserFactory(username="doc.report.admin", party=doc, roles=[ADMIN], email="admin@example.gov")
    subscribe(admin, moa)
    assert len(quarterly_reports_send(on=AFTER_Q1)) == 1
    assert len(messages_to(smtp, "admin@example.gov")) == 1


@pytest.mark.django_db
def test_a_report_the_server_refused_is_retried_by_the_sweep_with_the_same_pdf(settings, moa, manager):
    server = RecordingSMTP()
    _smtp_settings(settings, server)  # configured, not started: the server is not there
    subscribe(manager, moa)
    assert quarterly_reports_send(on=AFTER_Q1) == []
    notice = Notification.objects.get(kind=Kind.QUARTERLY_REPORT)
    assert (notice.status, notice.attempts) == (Notification.Status.PENDING, 1)
    server.start()
    try:
        with time_machine.travel(datetime.datetime.now(tz=NY) + datetime.timedelta(hours=1)):
            assert notices_deliver_pending() == 1
        [message] = messages_to(server, "manager@example.gov")
        filename, pdf = pdf_of(message)
        assert filename == f"{moa.slug}-report-2018-03-31.pdf"
        assert moa.short_name in pdf.pages[0].extract_text()
    finally:
        server.stop()
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT


@pytest.mark.django_db
def test_a_report_that_keeps_failing_ends_failed_and_is_sent_by_a_resend(settings, moa, manager):
    from notifications.services import notices_resend

    server = RecordingSMTP()
    _smtp_settings(settings, server)
    subscribe(manager, moa)
    quarterly_reports_send(on=AFTER_Q1)
    later = datetime.datetime.now(tz=NY) + datetime.timedelta(hours=settings.NOTIFICATION_RETRY_HOURS + 1)
    with time_machine.travel(later):
        notices_deliver_pending()
    notice = Notification.objects.get(kind=Kind.QUARTERLY_REPORT)
    assert notice.status == Notification.Status.FAILED
    server.start()
    try:
        assert notices_resend(ids=[notice.pk]) == 1
        assert notices_deliver_pending() == 1
        assert len(messages_to(server, "manager@example.gov")) == 1
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_runs_send_the_report_once(smtp, moa, manager):
    subscribe(manager, moa)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            sent.append(len(quarterly_reports_send(on=AFTER_Q1)))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(sent) == [0, 1]
    assert len(messages_to(smtp, "manager@example.gov")) == 1


@pytest.mark.django_db
def test_every_subscriber_of_an_agreement_receives_its_own_copy(smtp, moa, manager, dhs):
    other = UserFactory(username="dhs.report.manager", party=dhs, roles=[MANAGER], email="dhs@example.gov")
    subscribe(manager, moa)
    subscribe(other, moa)
    assert len(quarterly_reports_send(on=AFTER_Q1)) == 2
    for address in ("manager@example.gov", "dhs@example.gov"):
        [message] = messages_to(smtp, address)
        assert moa.short_name in pdf_of(message)[1].pages[0].extract_text()
