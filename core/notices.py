"""The plain data a domain app hands over when it has decided a notice is due.

The domain apps decide *what* is due on a day and to whom (agreements: the term countdown;
activities: meeting reminders, unscheduled quarters, missing minutes, the stale digest's
work); notifications claims each notice exactly once and delivers it. This shape is all they
share, so neither imports the other's code for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attachment:
    """A file a notice's e-mail carries (the quarterly report's PDF)."""

    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class DueNotice:
    """One notice due: about which agreement (None for a digest across agreements), on which
    occasion (the log's key: a notice is sent once per occasion and recipient), to which portal
    users and points of contact, with its templates' context and the page it links to."""

    agreement: Any | None
    occasion: str
    users: Sequence[Any] = ()
    contacts: Sequence[Any] = ()
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    #: Draws the file the e-mail carries. Called only when the notice is claimed, so a run
    #: that finds the notice already claimed (a re-run, a concurrent run) draws nothing; the
    #: deciding app passes it in (the report's PDF is compliance's), notifications stores it.
    attachment: Callable[[], Attachment] | None = None
