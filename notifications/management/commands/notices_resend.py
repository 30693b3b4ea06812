"""Send failed notices again: one (by id) or all, then deliver them now (outside any transaction)."""

from django.core.management.base import BaseCommand, CommandError

from notifications.models import Notification
from notifications.services import notices_deliver, notices_resend


class Command(BaseCommand):
    help = "Put failed notices back to send (one by id, or --all-failed) and send them now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Notice ids (failed or pending).")
        parser.add_argument("--all-failed", action="store_true", help="Every failed notice.")

    def handle(self, *args, ids: list[int], all_failed: bool, **options) -> None:
        if bool(ids) == all_failed:
            raise CommandError("Give notice ids, or --all-failed (not both).")
        if ids:
            unknown = set(ids) - set(Notification.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if unknown:
                raise CommandError(f"No notice with id {', '.join(map(str, sorted(unknown)))}.")
            before = list(ids)
        else:
            before = list(
                Notification.objects.filter(status=Notification.Status.FAILED).values_list("pk", flat=True)
            )
        count = notices_resend(ids=None if all_failed else ids, via="command")
        sent = notices_deliver(
            notices=Notification.objects.filter(pk__in=before, status=Notification.Status.PENDING)
        )
        self.stdout.write(f"{count} notice(s) put back to send; {sent} sent now, the rest go with the sweep.")
