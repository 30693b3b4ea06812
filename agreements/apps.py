from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from . import data_cache

        # Any change to the records moves the data version of the values kept from them.
        post_save.connect(data_cache.record_changed, dispatch_uid="data-version-save")
        post_delete.connect(data_cache.record_changed, dispatch_uid="data-version-delete")
        m2m_changed.connect(data_cache.relation_changed, dispatch_uid="data-version-m2m")
