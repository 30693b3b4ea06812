from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail's pages: read-only views over django-simple-history's tables, and the
    account events (sign-ins, failures, lockouts, unlocks) recorded beside them."""

    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from agreements.signals import account_event, account_unlocked, sign_in_throttled

        from . import signals
        from .signals import record_last_login_without_history

        # A sign-in is not a change to the account: record last_login with an UPDATE so it does
        # not add an empty "changed" row to the user's history on every sign-in.
        if hasattr(get_user_model(), "last_login"):
            user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
            user_logged_in.connect(record_last_login_without_history, dispatch_uid="update_last_login")

        user_logged_in.connect(signals.record_signed_in, dispatch_uid="audit.signed_in")
        user_login_failed.connect(signals.record_sign_in_failed, dispatch_uid="audit.sign_in_failed")
        user_locked_out.connect(signals.record_locked_out, dispatch_uid="audit.locked_out")
        account_unlocked.connect(signals.record_unlocked, dispatch_uid="audit.unlocked")
        sign_in_throttled.connect(signals.record_sign_in_throttled, dispatch_uid="audit.sign_in_throttled")
        account_event.connect(signals.record_account_event, dispatch_uid="audit.account_event")
