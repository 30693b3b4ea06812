"""The portal's main pages, as the browser tests visit them.

Every page listed here is checked with axe-core, for its structure (title, one h1,
landmarks, skip link) and for overflow on a phone, and is photographed at desktop and phone
width as <name>-desktop.png and <name>-phone.png (into docs/screenshots/ by
`make screenshots`). A new page is one more `PortalPage` line: a name, the path (built
from the MOA) and the user who opens it.
The test opens them with `portal_records` in place (an update, a meeting, an event), so
lists show rows, not only their empty state.
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
    PortalPage("my-work", lambda moa: reverse("my_work")),
    PortalPage("item-list", lambda moa: reverse("activities:commitment_list")),
    PortalPage("update-list", lambda moa: reverse("activities:update_list")),
    PortalPage("meeting-list", lambda moa: reverse("activities:meeting_list")),
    PortalPage("event-list", lambda moa: reverse("activities:event_list")),
    PortalPage("update-form", lambda moa: reverse("activities:update_create", args=[moa.slug, "VI.2"])),
    PortalPage("meeting-form", lambda moa: reverse("activities:meeting_create")),
    PortalPage("event-form", lambda moa: reverse("activities:event_create")),
    PortalPage(
        "dashboard", lambda moa: reverse("compliance:dashboard") + f"?agreement={moa.slug}", "doc_manager"
    ),
    PortalPage("report", lambda moa: reverse("compliance:report") + f"?agreement={moa.slug}", "doc_manager"),
    PortalPage("notifications", lambda moa: reverse("notifications:list")),
    PortalPage("search", lambda moa: reverse("search:search") + "?q=de+minimis"),
    PortalPage("calendar", lambda moa: reverse("compliance:calendar")),
    PortalPage("api-tokens", lambda moa: reverse("tokens:list")),
    PortalPage("contact-list", lambda moa: reverse("contacts:list") + f"?agreement={moa.slug}", "doc_admin"),
    PortalPage(
        "contact-form", lambda moa: reverse("contacts:create") + f"?agreement={moa.slug}", "doc_admin"
    ),
    PortalPage("agreement-new", lambda moa: reverse("agreements:new"), "doc_admin"),
    PortalPage("signature-form", lambda moa: reverse("agreements:sign", args=[moa.slug]), "doc_admin"),
    PortalPage(
        "modification-form", lambda moa: reverse("agreements:modification_new", args=[moa.slug]), "doc_admin"
    ),
    PortalPage("termination", lambda moa: reverse("agreements:termination", args=[moa.slug]), "doc_admin"),
    PortalPage("webhooks", lambda moa: reverse("webhooks:list"), "doc_admin"),
    PortalPage("webhook-form", lambda moa: reverse("webhooks:create"), "doc_admin"),
    PortalPage("sign-in-security", lambda moa: reverse("accounts:mfa")),
    PortalPage("authenticator-app", lambda moa: reverse("accounts:mfa_app")),
]
