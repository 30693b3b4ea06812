"""Signing in through PartyMemberBackend: the user's party arrives with the user."""

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from agreements.tests.factories import PartyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request_signed_in_as(client, user):
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.session.items()  # read the session now: the query counted below is the user's
    return request


def test_the_signed_in_users_party_is_loaded_in_the_same_query(client, django_assert_num_queries):
    user = UserFactory(party=PartyFactory(acronym="DOC"))
    request = _request_signed_in_as(client, user)
    with django_assert_num_queries(1):
        assert get_user(request).membership.party.acronym == "DOC"


def test_a_user_without_a_party_still_signs_in(client):
    user = UserFactory()
    request = _request_signed_in_as(client, user)
    assert get_user(request) == user


def test_a_deactivated_user_is_signed_out(client):
    user = UserFactory(party=PartyFactory())
    request = _request_signed_in_as(client, user)
    user.is_active = False
    user.save()
    assert not get_user(request).is_authenticated
