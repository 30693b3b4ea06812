"""What activities announces for the apps above it to act on (activities imports none of them).

`meeting_invitation_due`: an upcoming meeting was scheduled, changed in what its attendees
must know (time, place, title, agenda, attendees), or cancelled; sent after the transaction
commits. Arguments: `meeting`, `cancelled` (True: the meeting is off), and `removed_users`,
`removed_contacts` (attendees taken off the meeting, who are told it is cancelled for them).
notifications turns it into calendar invitations (iCalendar REQUEST or CANCEL) by e-mail.

`update_logged`: a progress update (or a correction) was recorded; sent after the transaction
commits. Argument: `update`. notifications turns it into webhook deliveries.
"""

from django.dispatch import Signal

meeting_invitation_due = Signal()

update_logged = Signal()
