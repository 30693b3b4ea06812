"""The jobs' schedule is data in django-celery-beat, created once by `setup_schedule`."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from moa_portal.celery import app as celery_app
from notifications.management.commands.setup_schedule import RENAMED, SCHEDULE

pytestmark = pytest.mark.django_db


def test_setup_schedule_creates_every_job():
    call_command("setup_schedule")
    assert set(PeriodicTask.objects.values_list("task", flat=True)) == {t for t, _, _ in SCHEDULE.values()}


def test_setup_schedule_run_twice_changes_nothing():
    call_command("setup_schedule")
    before = list(PeriodicTask.objects.order_by("pk").values("pk", "name", "task", "crontab_id"))
    call_command("setup_schedule")
    assert list(PeriodicTask.objects.order_by("pk").values("pk", "name", "task", "crontab_id")) == before


def test_setup_schedule_keeps_an_admins_edit():
    call_command("setup_schedule")
    PeriodicTask.objects.filter(name="Weekly stale digest").update(enabled=False)
    call_command("setup_schedule")
    assert PeriodicTask.objects.get(name="Weekly stale digest").enabled is False


def test_setup_schedule_moves_a_job_that_names_a_task_by_its_old_name():
    call_command("setup_schedule")
    PeriodicTask.objects.filter(name="Term countdown notices").update(
        task="agreements.tasks.send_term_notices", enabled=False
    )
    call_command("setup_schedule")
    job = PeriodicTask.objects.get(name="Term countdown notices")
    assert (job.task, job.enabled) == ("notifications.tasks.send_term_notices", False)


def test_setup_schedule_renames_a_job_scheduled_under_an_older_name_instead_of_adding_one():
    call_command("setup_schedule")
    PeriodicTask.objects.filter(name="Meeting reminders").update(name="Quarterly meeting reminders (VI.5)")
    call_command("setup_schedule")
    reminders = PeriodicTask.objects.filter(task="notifications.tasks.send_meeting_reminders")
    assert list(reminders.values_list("name", flat=True)) == ["Meeting reminders"]


def test_every_renamed_task_is_a_scheduled_one():
    assert set(RENAMED.values()) <= {t for t, _, _ in SCHEDULE.values()}


def test_every_scheduled_task_is_registered_with_the_worker():
    celery_app.loader.import_default_modules()
    assert {t for t, _, _ in SCHEDULE.values()} <= set(celery_app.tasks)


def test_every_job_acknowledges_late():
    celery_app.loader.import_default_modules()
    assert all(celery_app.tasks[t].acks_late for t, _, _ in SCHEDULE.values())
