"""The one check every bench command makes before it writes to a database."""

from django.conf import settings
from django.core.management.base import CommandError

SETTINGS_MODULE = "moa_portal.settings.bench"


def require_bench_settings(command: str) -> None:
    """Refuse unless the settings say this is a benchmark (``BENCH = True``).

    Installing the app is not enough: the test settings install it too, and the commands
    bulk-insert users and agreements, sign users in without a password and commit notices,
    none of which may happen to a portal's real data by a mistyped settings module.
    """
    if not getattr(settings, "BENCH", False):
        raise CommandError(
            f"{command} is for benchmarks only: run it with --settings={SETTINGS_MODULE} "
            "(docs/performance.md)."
        )
