"""Print the notices the daily jobs would send on a day, one line each, sending nothing.

Admins run it to check a new agreement's schedule before the jobs do; tests run it day by day.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from agreements.models import Agreement
from notifications.jobs import notices_due


class Command(BaseCommand):
    help = (
        "List the notices the jobs would send on a day (kind, agreement, recipient, occasion); sends nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--on", required=True, help="The day, YYYY-MM-DD.")
        parser.add_argument("--agreement", help="Only this agreement's notices (its slug).")

    def handle(self, *args, on: str, agreement: str | None = None, **options) -> None:
        try:
            day = datetime.date.fromisoformat(on)
        except ValueError:
            raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD)") from None
        if agreement and not Agreement.objects.filter(slug=agreement).exists():
            raise CommandError(f"--agreement: no agreement with the slug {agreement!r}")
        for n in notices_due(on=day, slug=agreement):
            where = n.agreement.slug if n.agreement else "-"
            self.stdout.write(f"{n.kind}\t{where}\t{n.recipient.key}\t{n.occasion}")
