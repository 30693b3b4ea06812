"""People migration 0002: the recovery codes django-otp kept in clear become salted hashes."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agreements.tests.factories import UserFactory
from people import mfa

BEFORE = [("people", "0001_recovery_codes_hashed"), ("otp_static", "0003_add_timestamps")]
AFTER = [("people", "0002_hash_existing_recovery_codes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_migrations_after():
    """Leave the database as every later test expects it: every migration applied, and no
    content type remembered from the states this test migrated through."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every committing test here
@pytest.mark.usefixtures("latest_migrations_after")
def test_codes_kept_in_clear_still_work_once_hashed_and_the_clear_ones_are_gone():
    user = UserFactory()
    old_apps = migrate(BEFORE)
    StaticDevice = old_apps.get_model("otp_static", "StaticDevice")
    StaticToken = old_apps.get_model("otp_static", "StaticToken")
    device = StaticDevice.objects.create(user_id=user.pk, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in ("abcd2345", "efgh6789"))

    new_apps = migrate(AFTER)

    assert not new_apps.get_model("otp_static", "StaticToken").objects.exists()
    hashes = list(new_apps.get_model("people", "RecoveryCode").objects.values_list("code_hash", flat=True))
    assert len(hashes) == 2 and not any("abcd2345" in h or "efgh6789" in h for h in hashes)
    assert mfa.recovery_codes_left(user) == 2
    assert mfa.code_matches(user=user, code="ABCD2345") == "recovery code"
    assert mfa.code_matches(user=user, code="abcd2345") is None
    assert mfa.recovery_codes_left(user) == 1
