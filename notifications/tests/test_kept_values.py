"""Notices are not what kept pages are computed from: writing one leaves kept values kept."""

import pytest

from agreements.tests.factories import UserFactory
from core import cache
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_notice_does_not_move_the_data_version():
    before = cache.data_version()
    Notification.objects.create(
        kind="term_notice", occasion="x", recipient="a@b.c", user=UserFactory(), subject="s"
    )
    assert cache.data_version() == before
