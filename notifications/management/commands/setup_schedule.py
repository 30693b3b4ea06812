"""Create the jobs' schedule in django-celery-beat, once: running it again changes nothing.

The schedule is data, editable by admins in Django admin (Periodic tasks); an entry that is
already there is left as the admin made it, except that an entry naming a task by a name it
no longer has (RENAMED) is moved to the new name, so the worker still knows what beat sends.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django_celery_beat.models import CrontabSchedule, PeriodicTask

# name -> (task, minute, hour); daily runs: what is due is computed from the database, so a
# run that was missed is caught up by the next one, and the log keeps each notice to once.
SCHEDULE = {
    "Term countdown notices": ("notifications.tasks.send_term_notices", "0", "7"),
    "Meeting reminders": ("notifications.tasks.send_meeting_reminders", "5", "7"),
    "Meeting not yet scheduled": (
        "notifications.tasks.send_unscheduled_quarter_notices",
        "10",
        "7",
    ),
    "Meeting minutes missing": ("notifications.tasks.send_minutes_nudges", "15", "7"),
    "Weekly stale digest": ("notifications.tasks.send_stale_digests", "20", "7"),
    "Milestones overdue (webhooks)": ("notifications.tasks.send_milestone_overdue_events", "25", "7"),
    # Daily, though a report is due once a quarter: the day after the quarter's end, or the next
    # run after a missed one. The task lives in moa_portal (it reads compliance and notifications).
    "Quarterly reports by e-mail": ("moa_portal.tasks.send_quarterly_reports", "25", "7"),
    # The sweep: retries after a pause, and what a killed worker had claimed, within a minute.
    "Deliver pending notices": ("notifications.tasks.deliver_pending_notices", "*", "*"),
}

#: Task names the jobs had before they moved to notifications (issue 12): old name -> new name.
RENAMED = {
    "agreements.tasks.send_term_notices": "notifications.tasks.send_term_notices",
    **{
        f"activities.tasks.{job}": f"notifications.tasks.{job}"
        for job in (
            "send_meeting_reminders",
            "send_unscheduled_quarter_notices",
            "send_minutes_nudges",
            "send_stale_digests",
        )
    },
}


class Command(BaseCommand):
    help = "Create the periodic jobs in django-celery-beat (idempotent; keeps admins' edits)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        from django.conf import settings

        moved = 0
        for task in PeriodicTask.objects.filter(task__in=RENAMED):
            task.task = RENAMED[task.task]
            task.save(update_fields=["task"])  # save(), not update(): beat notices the change
            moved += 1
        if moved:
            self.stdout.write(f"Moved {moved} scheduled job(s) to their tasks' new names.")
        # A job scheduled under an older name (they once cited one agreement's clauses) takes
        # its current name, rather than running twice under both.
        for name, (task_name, _, _) in SCHEDULE.items():
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            for task in PeriodicTask.objects.filter(task=task_name).exclude(name__in=SCHEDULE):
                old = task.name
                task.name = name
                task.save(update_fields=["name"])
                self.stdout.write(f"Renamed the scheduled job {old!r} to {name!r}.")
                break
        created = 0
        for name, (task, minute, hour) in SCHEDULE.items():
            if PeriodicTask.objects.filter(Q(name=name) | Q(task=task)).exists():
                continue
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab)
            created += 1
        if created:
            self.stdout.write(f"Created {created} scheduled job(s).")
        else:
            self.stdout.write("The schedule is already there; nothing changed.")
