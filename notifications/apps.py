from pathlib import Path

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        """The embedded broker (no REDIS_URL) needs its folders before the first message."""
        from django.conf import settings

        from . import receivers  # noqa: F401 - connects to the signals of the apps below

        if str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("filesystem://"):
            options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                if options.get(key):
                    Path(options[key]).mkdir(parents=True, exist_ok=True)
