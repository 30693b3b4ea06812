"""The Django admin's history screens, read-only: nobody reverts or edits history there either."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin without "revert to this version": its history form only displays.

    Every admin class of an audited model uses this one (a test checks that), so the audit
    trail cannot be rewritten from the admin site.
    """

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def has_change_history_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("History is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)
