from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin as SimpleHistoryAdmin  # history is read-only

from .models import Evidence, FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = [
        "commitment",
        "as_of",
        "status",
        "percent_complete",
        "reporting_party",
        "author",
        "created_at",
    ]
    list_filter = ["status", "reporting_party", "commitment__agreement"]
    search_fields = ["narrative", "commitment__code", "commitment__title"]
    raw_id_fields = ["commitment", "author", "corrects"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """Updates are never deleted: a correction is added instead (the record stays whole)."""
        return False


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["title", "commitment", "due_on", "completed_on"]
    list_filter = ["commitment__agreement"]
    search_fields = ["title"]
    raw_id_fields = ["commitment", "owner_user", "owner_contact", "created_by"]


class FollowUpInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    raw_id_fields = ["owner_user", "owner_contact"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "starts_at", "format", "agreement"]
    list_filter = ["kind", "format", "agreement"]
    search_fields = ["title", "agenda", "minutes"]
    raw_id_fields = ["organiser", "attendee_users", "attendee_contacts"]
    inlines = [FollowUpInline]


@admin.register(OutreachEvent)
class OutreachEventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "held_on", "city", "country", "place", "attendance"]
    list_filter = ["place", "agreement"]
    search_fields = ["title", "city", "country", "outcomes"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    raw_id_fields = ["progress_update", "meeting", "outreach_event", "uploaded_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
