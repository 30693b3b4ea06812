"""Before this release a failed row was one with attempts left, and after five it was never tried
again: every failed row is given back to the sweep with a fresh retry window. The retry job ran
every 15 minutes; it becomes the sweep, every minute (unless an admin had changed its schedule).
"""

import datetime

from django.db import migrations
from django.utils import timezone

OLD_NAME = "Retry failed notices"
NEW_NAME = "Deliver pending notices"


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(status="failed").update(
        status="pending", next_attempt_at=None, retry_until=timezone.now() + datetime.timedelta(hours=72)
    )
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    task = PeriodicTask.objects.filter(name=OLD_NAME, crontab__minute="*/15", crontab__hour="*").first()
    if task is not None:
        every_minute, _ = CrontabSchedule.objects.get_or_create(
            minute="*",
            hour="*",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=task.crontab.timezone,
        )
        task.crontab = every_minute
        task.name = NEW_NAME
        task.save()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_delivery_retries_job_runs_and_resends"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
