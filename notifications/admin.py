from django.contrib import admin

from .models import JobRun, Mute, Notification, Resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "agreement",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["recipient", "occasion", "subject"]
    # The attachment's bytes (a report's PDF) are not shown; its name and type are.
    exclude = ["attachment"]
    readonly_fields = [f.name for f in Notification._meta.fields if f.name != "attachment"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: written by the worker around every job (see also /operations/)."""

    list_display = ["started_at", "job", "outcome", "claimed", "sent", "failed", "finished_at"]
    list_filter = ["job", "outcome"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resend)
class ResendAdmin(admin.ModelAdmin):
    """Read-only: the audit of Resend on the operations page and `notices_resend`."""

    list_display = ["requested_at", "requested_by", "notification", "count", "via"]
    readonly_fields = [f.name for f in Resend._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
