"""Signals about accounts that more than one app needs (people sends, audit records)."""

from django.dispatch import Signal

#: An account's sign-in lockout was lifted. Arguments: `user`, `by` (the user who unlocked it,
#: or None), `how` (a few words: "by an admin", "by a completed password reset").
account_unlocked = Signal()

#: A sign-in was refused unread because its address has too many recent failures.
#: Arguments: `username` (as typed), `request`.
sign_in_throttled = Signal()
