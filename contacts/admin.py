from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin as SimpleHistoryAdmin  # history is read-only

from .models import PointOfContact


@admin.register(PointOfContact)
class PointOfContactAdmin(SimpleHistoryAdmin):
    list_display = ["role_title", "party", "person_name", "email", "active_from", "active_to", "agreement"]
    list_filter = ["agreement", "party", "is_coordinator"]
    search_fields = ["role_title", "office", "person_name", "email"]
    readonly_fields = ["version"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """A contact is deactivated (active_to), never deleted: its past stays on the record."""
        return False
