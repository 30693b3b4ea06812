from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance dashboard"

    def ready(self) -> None:
        from . import signals

        post_save.connect(signals.record_changed, dispatch_uid="compliance-data-version-save")
        post_delete.connect(signals.record_changed, dispatch_uid="compliance-data-version-delete")
        m2m_changed.connect(signals.relation_changed, dispatch_uid="compliance-data-version-m2m")
