from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from core.cache import watch_app

        # Values kept for pages are computed from these records: a change moves their version.
        watch_app(self.label)
