"""Create or update an agreement from a data file; a second run changes nothing."""

from django.core.checks import Tags
from django.core.checks.registry import registry
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from agreements.agreement_file import AgreementFileError, read_agreement
from agreements.services import import_agreement

#: Every system check but the URL configuration's, which imports every view of the portal (half
#: of the command's memory and start-up time before the file is even opened) and says nothing
#: about importing a file. The checks of the models, the database and the production
#: configuration (moa_portal/checks.py) still run first.
IMPORT_CHECKS = sorted(registry.tags_available() - {Tags.urls})


class Command(BaseCommand):
    help = "Import an agreement from a YAML data file (schema moa-portal/agreement@2, or @1)."
    requires_system_checks = IMPORT_CHECKS

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The agreement data file, e.g. agreements/data/*.yaml")

    def handle(self, *args, path: str, **options) -> None:
        try:
            data = read_agreement(path)
            result = import_agreement(doc=data)
        except AgreementFileError as exc:
            raise CommandError(f"Refused: {exc}") from None
        except (DatabaseError, ValidationError) as exc:
            raise CommandError(f"Refused: {path}: nothing was saved: {exc}") from None
        self.stdout.write(self.style.SUCCESS(result.summary()) if result.changed else result.summary())
