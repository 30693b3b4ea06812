"""Sign a user in without a password, for the load generator: prints a Cookie header value.

The benchmark (bench/run.sh) and the resilience tests load the portal as a signed-in user
through the bench settings, production's with their HTTPS-only cookies; a session made here
is sent as a plain header instead. Refuses to run outside the bench settings, so it cannot be
used on a production portal by mistake.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError

from bench.data import BENCH_USERNAME
from bench.guard import require_bench_settings


class Command(BaseCommand):
    help = "Create a signed-in session for a (benchmark) user and print it as a Cookie header value."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=BENCH_USERNAME)

    def handle(self, *args, username: str, **options) -> None:
        require_bench_settings("bench_session")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}: run generate_bench_data first.")
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.stdout.write(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
