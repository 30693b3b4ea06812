"""What agreements announces for the apps above it to act on (agreements imports none of them).

`modification_awaiting`: a proposed modification now awaits the execution of `parties`
(a list of `Party`), because it was proposed or changed (`reason`: "proposed" or "changed").
Sent after the transaction commits; notifications turns it into notices to those parties' admins.
"""

from django.dispatch import Signal

modification_awaiting = Signal()
