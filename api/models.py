"""Personal access tokens: how a program calls the API on behalf of one user.

The token itself is shown once, when it is created; only its SHA-256 is stored, so a copy of
the database does not hand out working tokens. A token carries its own scope (read only, or
read and write) and expiry (at most a year), and is revoked, never deleted: the record of who
had which token, and when it was first used, stays. What it may read and change is always
its user's, asked at every request, so a deactivated user's tokens stop at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

#: The longest a token may live.
MAX_LIFETIME = datetime.timedelta(days=365)


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None) -> AccessTokenQuerySet:
        """Not revoked and not expired (the user's being active is checked with the user)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class AccessToken(models.Model):
    """A user's personal access token for the API (`Authorization: Bearer moa_…`)."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, so you recognise it later.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters, to tell tokens apart."
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    first_used_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="token_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
