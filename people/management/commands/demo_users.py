"""Create (or reset) one demo user per role and party, and print their passwords.

For a first look at the portal only: every run gives each demo user a new random password.
It refuses to run with DEBUG off unless --allow-production is given.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agreements.models import Party, PartyMembership
from agreements.permissions import ADMIN, MANAGER, STAFF, role_groups

DEMO_USERS = [
    ("doc.staff", "DOC", STAFF),
    ("dhs.staff", "DHS", STAFF),
    ("doc.manager", "DOC", MANAGER),
    ("dhs.manager", "DHS", MANAGER),
    ("portal.admin", "DOC", ADMIN),
]


class Command(BaseCommand):
    help = "Create or reset the demo users (one per role) and print their passwords."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--allow-production", action="store_true")

    @transaction.atomic
    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo users are for development; DEBUG is off.")
        User = get_user_model()
        rows = []
        for username, acronym, role in DEMO_USERS:
            party = Party.objects.filter(acronym=acronym).first()
            if party is None:
                raise CommandError(f"Party {acronym} does not exist: import an agreement first.")
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
        self.stdout.write("\nDemo users (passwords are new on every start):")
        for username, password, acronym, role in rows:
            self.stdout.write(f"  {role:<8} {acronym:<4} {username:<14} {password}")
        self.stdout.write("")
