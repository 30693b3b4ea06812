"""The records the load needs beside the generated data, made through the portal's own services.

Prints ``name=value`` lines for bench/run.sh:

- ``token``: a read-only API token of the bench user (a new one each run; the older bench
  tokens are revoked, so tokens do not pile up);
- ``admin``: a DOC admin, whose session loads the pages only an admin opens;
- ``draft``: the slug of a draft agreement of that admin's: the MOA's file, unsigned, under
  the slug ``draft-bench`` (outside the generated ``bench-`` agreements);
- ``reading``: a text reading of the MOA's signed text (the text-review page).

Idempotent: the draft and the reading are made once and found again on the next run.
"""

import datetime

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agreements.drafting import text_reading_create
from agreements.lifecycle import draft_upload_confirm, draft_upload_create
from agreements.models import Agreement, TextReading, today
from agreements.permissions import ADMIN
from api.models import AccessToken
from api.services import access_token_create, access_token_revoke
from bench.data import BENCH_ADMIN, BENCH_USERNAME, HOME_PARTY, TEMPLATE_FILE
from bench.guard import require_bench_settings

DRAFT_SLUG = "draft-bench"
TOKEN_NAME = "bench load"  # noqa: S105  (the token's label, not a secret)
TEXT_FILE = TEMPLATE_FILE.parent / "sources" / "doc-dhs-ecommerce-moa-2017.txt"


def draft_file() -> bytes:
    """The template's agreement file as an unsigned draft under the bench's own slug."""
    data = yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8"))
    data["agreement"]["slug"] = DRAFT_SLUG
    data["agreement"]["short_name"] = "Bench draft"
    data["agreement"]["executed_on"] = None
    for signatory in data.get("signatories", []):
        signatory["signed_on"] = None
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


class Command(BaseCommand):
    help = "Make the bench's API token, draft agreement and text reading; print them for bench/run.sh."

    def handle(self, *args, **options) -> None:
        require_bench_settings("bench_fixtures")
        User = get_user_model()
        manager = User.objects.filter(username=BENCH_USERNAME).first()
        admin = User.objects.filter(username=BENCH_ADMIN).first() or (
            # Data generated before bench.admin existed: its first DOC admin.
            User.objects.filter(
                username__startswith="bench.", membership__party__acronym=HOME_PARTY, groups__name=ADMIN
            )
            .order_by("username")
            .first()
        )
        if manager is None or admin is None:
            raise CommandError("No bench users: run generate_bench_data first.")
        for old in AccessToken.objects.filter(user=manager, name=TOKEN_NAME, revoked_at__isnull=True):
            access_token_revoke(acting_user=manager, token=old)
        token = access_token_create(
            acting_user=manager,
            name=TOKEN_NAME,
            scope=AccessToken.Scope.READ,
            expires_on=today() + datetime.timedelta(days=30),
        )
        draft = Agreement.objects.filter(slug=DRAFT_SLUG).first()
        if draft is None:
            upload = draft_upload_create(acting_user=admin, file_name="bench-draft.yaml", data=draft_file())
            draft = draft_upload_confirm(acting_user=admin, upload=upload, sha256=upload.sha256).agreement
        reading = TextReading.objects.filter(uploaded_by=admin).order_by("pk").first()
        if reading is None:
            reading = text_reading_create(
                acting_user=admin, file_name=TEXT_FILE.name, data=TEXT_FILE.read_bytes()
            )
        self.stdout.write(f"token={token.raw}")
        self.stdout.write(f"admin={admin.get_username()}")
        self.stdout.write(f"draft={draft.slug}")
        self.stdout.write(f"reading={reading.pk}")
