"""The compliance dashboard as a package of panels.

One module per panel — its query, its signal rule and its typed result (a frozen dataclass):
term, commitments, meetings, contacts, outreach, recent. A panel returns status and numbers;
its sentence is a template (templates/compliance/signals/), its colour CSS keyed by status.
Every panel reads "as of" a day, so a manager can see the agreement as it stood at the end of
any quarter. `compliance.selectors.dashboard` puts them together for pages, exports and report.
"""

from .base import Filters, Rag, Signal, end_of_day, quarter_code
from .charts import chart_data
from .commitments import CommitmentsPanel, commitments_panel, commitments_with_status_on
from .contacts import ContactsPanel, contacts_panel
from .meetings import MeetingsPanel, meetings_panel
from .outreach import OutreachPanel, outreach_panel
from .recent import RecentPanel, recent_panel
from .term import TermPanel, term_panel

__all__ = [
    "CommitmentsPanel",
    "ContactsPanel",
    "Filters",
    "MeetingsPanel",
    "OutreachPanel",
    "Rag",
    "RecentPanel",
    "Signal",
    "TermPanel",
    "chart_data",
    "commitments_panel",
    "commitments_with_status_on",
    "contacts_panel",
    "end_of_day",
    "meetings_panel",
    "outreach_panel",
    "quarter_code",
    "recent_panel",
    "term_panel",
]
