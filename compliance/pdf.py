"""The quarterly report as PDF, drawn by WeasyPrint from the same content as the printable page.

The document is rendered from our own template and stylesheet only: every URL WeasyPrint would
fetch (an image, a font, a stylesheet named in the HTML) is refused, so a report never reaches
the network, whatever text a person typed into the records it shows. Fonts are the system's
(Debian's fonts-dejavu-core, which CI installs).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STYLESHEET = "css/report-pdf.css"


class ExternalResourceRefused(Exception):
    """WeasyPrint asked for a URL; reports are drawn from their own HTML and stylesheet only."""


def _refuse(url: str, *args: object, **kwargs: object) -> dict:
    raise ExternalResourceRefused(url)


def _stylesheet_path() -> str:
    found = finders.find(STYLESHEET)
    if isinstance(found, str):
        return found
    return str(Path(settings.STATIC_ROOT) / STYLESHEET)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a report's HTML, with the report stylesheet (page boxes, running header)."""
    # Imported here: WeasyPrint loads Pango when imported, and only this page needs it.
    from weasyprint import CSS, HTML

    document = HTML(string=html, url_fetcher=_refuse)
    return document.write_pdf(stylesheets=[CSS(filename=_stylesheet_path(), url_fetcher=_refuse)])
