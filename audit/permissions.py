"""Who reads the audit trail."""

from __future__ import annotations

from agreements.permissions import User, is_admin


def can_read_audit(user: User) -> bool:
    """Only admins read the audit trail; nobody edits or deletes it through the portal."""
    return is_admin(user)
