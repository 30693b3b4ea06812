"""Signing in: Django's model backend, loading the user's party with the user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PartyMemberBackend(ModelBackend):
    """Every page shows and checks the user's party (`user.membership.party`); loading it in
    the same query as the user saves two queries on every request."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("membership__party").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
