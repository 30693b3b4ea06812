"""Fixtures of the API's tests: tokens made through the service the tokens page calls."""

import datetime

import pytest
from rest_framework.test import APIClient

from api import services
from api.models import AccessToken
from core.time import today


def make_token(user, scope=AccessToken.Scope.READ_WRITE, days=30) -> str:
    """A token of the user's, as the tokens page makes it; the raw token (shown once)."""
    return services.access_token_create(
        acting_user=user,
        name=f"test {scope}",
        scope=scope,
        expires_on=today() + datetime.timedelta(days=days),
    ).raw


def client_with(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_as():
    """`api_as(user, scope=…)`: an API client sending a new token of the user's."""

    def make(user, scope=AccessToken.Scope.READ_WRITE) -> APIClient:
        return client_with(make_token(user, scope))

    return make
