"""The system-use notice (NIST SP 800-53 AC-8) a user accepts before signing in.

PORTAL_SYSTEM_USE_NOTICE holds the agency's text; when it is set, the sign-in page and every
single sign-on start send a visitor to the notice first, and only its acceptance (recorded in
the session and logged with the address) lets them on. Django's login() keeps the session's
data, so one acceptance covers the sign-in that follows.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import HttpRequest

from .signin import client_address

logger = logging.getLogger("people.notice")

ACCEPTED_KEY = "moa_system_use_notice_accepted_at"


def notice_required(request: HttpRequest) -> bool:
    """Whether this visitor must still accept the notice before signing in."""
    return bool(settings.PORTAL_SYSTEM_USE_NOTICE.strip()) and ACCEPTED_KEY not in request.session


def notice_paragraphs() -> list[str]:
    """The notice's text, split into paragraphs at blank lines."""
    text = settings.PORTAL_SYSTEM_USE_NOTICE.replace("\\n", "\n")
    return [part.strip() for part in text.split("\n\n") if part.strip()]


def notice_accept(request: HttpRequest) -> None:
    """Record the acceptance in the session and in the log (who: the address; when: now)."""
    request.session[ACCEPTED_KEY] = time.time()
    logger.info("system-use notice accepted from %s", client_address(request))
