from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail's pages: read-only views over django-simple-history's tables."""

    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from .signals import record_last_login_without_history

        # A sign-in is not a change to the account: record last_login with an UPDATE so it does
        # not add an empty "changed" row to the user's history on every sign-in.
        if hasattr(get_user_model(), "last_login"):
            user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
            user_logged_in.connect(record_last_login_without_history, dispatch_uid="update_last_login")
