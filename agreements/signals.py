"""What agreements announces for the apps above it to act on (agreements imports none of them).

Accounts: people sends, audit records. `modification_awaiting`: a proposed modification now
awaits the execution of `parties` (a list of `Party`), because it was proposed or changed
(`reason`: "proposed" or "changed"); sent after the transaction commits, and notifications
turns it into notices to those parties' admins.
"""

from django.dispatch import Signal

#: An account's sign-in lockout was lifted. Arguments: `user`, `by` (the user who unlocked it,
#: or None), `how` (a few words: "by an admin", "by a completed password reset").
account_unlocked = Signal()

#: A sign-in was refused unread because its address has too many recent failures.
#: Arguments: `username` (as typed), `request`.
sign_in_throttled = Signal()

#: A proposed modification awaits the execution of `parties` (see above).
modification_awaiting = Signal()
