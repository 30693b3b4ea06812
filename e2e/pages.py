"""The portal's main pages, as the browser tests visit them.

Every page listed here is checked with axe-core, for its structure (title, one h1,
landmarks, skip link) and for overflow on a phone, and is photographed at desktop and phone
width into docs/screenshots/<name>-desktop.png and <name>-phone.png. A new page is one more
`PortalPage` line: a name, the path (built from the MOA) and the user who opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from agreements.models import Agreement


@dataclass(frozen=True)
class PortalPage:
    """One page: `viewer` names the user fixture who opens it (None: nobody signed in)."""

    name: str
    path: Callable[[Agreement], str]
    viewer: str | None = "doc_staff"

    def __str__(self) -> str:
        return self.name


PAGES = [
    PortalPage("login", lambda moa: reverse("login"), viewer=None),
    PortalPage("agreements", lambda moa: reverse("agreements:list")),
    PortalPage("agreement", lambda moa: moa.get_absolute_url()),
    PortalPage("item", lambda moa: moa.commitments.get(code="VI.5").get_absolute_url()),
]
