"""Roles are Django groups a migration makes; a role given when its group has gone is kept."""

from django.contrib.auth.models import Group

from agreements import permissions
from agreements.permissions import MANAGER, STAFF
from people.services import user_create


def test_a_role_given_after_its_group_was_deleted_is_kept(doc):
    Group.objects.filter(name__in=permissions.ROLES).delete()
    user = user_create(username="new.manager", email="new.manager@example.gov", party=doc, roles=[MANAGER])
    assert set(user.groups.values_list("name", flat=True)) == {MANAGER}
    assert permissions.has_role(user, STAFF)


def test_role_groups_are_the_existing_ones_when_present(db):
    existing = Group.objects.get_or_create(name=STAFF)[0]
    assert permissions.role_groups([STAFF]) == [existing]
    assert Group.objects.filter(name=STAFF).count() == 1
