"""What agreements announces for the apps above it to act on (agreements imports none of them).

Accounts: people sends, audit records. `modification_awaiting`: a proposed modification now
awaits the execution of `parties` (a list of `Party`), because it was proposed or changed
(`reason`: "proposed" or "changed"); sent after the transaction commits, and notifications
turns it into notices to those parties' admins. `termination_notice_given`: likewise for a
notice of termination (or its withdrawal) or of non-renewal.
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

#: A party gave (or withdrew) a notice about the agreement's end. Arguments: `agreement`,
#: `party` (the party that gave it), `parties` (the others, to be told), `what` (see
#: agreements.termination.What), `occasion` (once per notice) and `day` (the day it takes
#: effect, or was given). Sent after the transaction commits; notifications tells the admins.
termination_notice_given = Signal()
#: Something happened to an account's sign-in that the audit trail keeps: a second factor added
#: or removed, a code refused, a recovery code used, a single sign-on refused. Arguments: `kind`
#: (an audit.AccountEvent.Kind value), `user` (or None), `username`, `request`, `detail`.
account_event = Signal()

#: The request attribute a sign-in sets to say how it was made ("with an authenticator code",
#: "by single sign-on through …"); audit writes it on the "Signed in" event.
SIGN_IN_DETAIL = "moa_sign_in_detail"
