from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Progress and activities"

    def ready(self) -> None:
        from core.cache import watch_app

        # Values kept for pages are computed from these records: a change moves their version.
        watch_app(self.label)
