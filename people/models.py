"""Recovery codes, kept as salted hashes.

django-otp's static device keeps its codes in clear, so a copy of the database (a backup, a
replica, a support dump) would hand out working second factors. Here only a PBKDF2 hash of
each code is stored (Django's own hasher, with a salt per code); the code itself is shown once,
when it is made. The device is a django-otp device all the same, so it keeps django-otp's
growing delay after wrong codes.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

#: The alphabet of a code: lower-case letters and digits without the ones read alike (0/o, 1/l/i).
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: Characters in a code (about 59 bits), shown in groups of four.
CODE_LENGTH = 12
#: PBKDF2 rounds per code. Far fewer than a password's: a code is random, not chosen, and a
#: sign-in may compare a code against each of the ten; about 10 ms a comparison on this machine.
#: The rounds are stored in each hash, so changing this leaves older hashes checkable.
HASH_ITERATIONS = 20_000


class _CodeHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 (the same stored format), with the rounds above."""

    iterations = HASH_ITERATIONS


def normalise(code: str) -> str:
    """A code as typed (any case, spaces or hyphens between groups) in the form it was hashed."""
    return code.strip().replace(" ", "").replace("-", "").lower()


def hash_code(code: str) -> str:
    """The stored form of a code: `pbkdf2_sha256$rounds$salt$hash`, salted afresh."""
    hasher = _CodeHasher()
    return hasher.encode(normalise(code), hasher.salt())


def new_code() -> str:
    """A new random code, grouped for reading (`abcd-efgh-jkmn`)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's set of recovery codes (one set a user: new codes replace the set)."""

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        """Whether the token is one of the unused codes; a match is used up (once, even when two
        sign-ins race with the same code: the row is claimed by a conditional update)."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        typed = normalise(token)
        hasher = _CodeHasher()
        with transaction.atomic():
            for code in self.codes.filter(used_at__isnull=True).order_by("pk"):
                if hasher.verify(typed, code.code_hash):
                    claimed = RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
                        used_at=timezone.now()
                    )
                    if claimed:
                        self.throttle_reset(commit=False)
                        self.set_last_used_timestamp(commit=False)
                        self.save()
                        return True
                    break
        self.throttle_increment()
        return False

    def codes_left(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    """One recovery code: its salted hash, and when it was used (a used code never works again)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
