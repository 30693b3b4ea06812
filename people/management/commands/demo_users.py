"""Create (or reset) a staff, a manager and an admin for every party of the loaded agreements.

For a first look at the portal only: every run gives each demo user a new random password
and prints it. The users are named for their party's acronym (`doe.staff`, `doe.manager`,
`doe.admin`). It refuses to run with DEBUG off unless --allow-production is given.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agreements.models import Party, PartyMembership
from agreements.permissions import ADMIN, MANAGER, STAFF, role_groups

#: The roles each party's demo users get, lowest first.
DEMO_ROLES = (STAFF, MANAGER, ADMIN)


def demo_username(party: Party, role: str) -> str:
    return f"{party.acronym.lower()}.{role.lower()}"


class Command(BaseCommand):
    help = "Create or reset a staff, a manager and an admin for every party of the loaded agreements."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo users are for development; DEBUG is off.")
        User = get_user_model()
        parties = list(Party.objects.filter(agreements__isnull=False).distinct().order_by("acronym"))
        if not parties:
            raise CommandError("No agreement is loaded: import an agreement first.")
        rows = []
        for party, role in ((p, r) for p in parties for r in DEMO_ROLES):
            acronym, username = party.acronym, demo_username(party, role)
            user, _ = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.first_name, user.last_name = acronym, role
            user.email = f"{username}@example.gov"
            user.is_staff = role == ADMIN
            user.save()
            user.groups.set(role_groups([role]))
            PartyMembership.objects.update_or_create(user=user, defaults={"party": party})
            rows.append((username, password, acronym, role))
        self.stdout.write(
            f"\nDemo users: a staff, a manager and an admin for each of {len(parties)} parties "
            f"({', '.join(p.acronym for p in parties)}); passwords are new on every start:"
        )
        for username, password, acronym, role in rows:
            self.stdout.write(f"  {role:<8} {acronym:<8} {username:<20} {password}")
        self.stdout.write("")
