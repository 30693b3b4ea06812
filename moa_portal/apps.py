from django.apps import AppConfig


class MoaPortalConfig(AppConfig):
    """The project package as an app only to register its system checks (moa_portal/checks.py)."""

    name = "moa_portal"
    verbose_name = "MOA Portal"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers them)
