"""Account events: sign-ins, failed sign-ins, lockouts and unlocks, API tokens, in the audit trail.

They are not changes to a record, so simple-history has no row for them; each event is a row
of its own here, with history like every audited model, so the audit log lists it beside the
record changes (a "Created" entry whose fields say what happened, to which account, from where).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class AccountEvent(models.Model):
    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_IN_THROTTLED = "sign_in_throttled", "Sign-in refused: too many failures from the address"
        LOCKED_OUT = "locked_out", "Locked out"
        UNLOCKED = "unlocked", "Unlocked"
        # Personal access tokens of the API (api/services.py): the detail names the token.
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_FIRST_USED = "token_first_used", "API token used for the first time"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        MFA_ADDED = "mfa_added", "Authenticator app added"
        MFA_REMOVED = "mfa_removed", "Authenticator app removed"
        MFA_CODE_REFUSED = "mfa_code_refused", "Sign-in code refused"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        RECOVERY_RENEWED = "recovery_renewed", "Recovery codes renewed"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"
        # Passkeys and security keys (people/passkeys.py): the detail names the passkey.
        PASSKEY_ADDED = "passkey_added", "Passkey added"
        PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
        PASSKEY_FIRST_USED = "passkey_first_used", "Passkey used for the first time"
        PASSKEY_REFUSED = "passkey_refused", "Passkey refused"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What was typed at sign-in, cut to the length a username can have; the account, if one has it.
    username = models.CharField(max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    # Who unlocked the account, or what did ("a completed password reset").
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        where = f" from {self.ip_address}" if self.ip_address else ""
        return f"{self.get_kind_display()}: {self.username or '—'}{where}"
