"""The templates as files: what Django's template language would show to people by mistake."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    p
    for p in ROOT.glob("**/templates/**/*")
    if p.is_file() and ".venv" not in p.parts and p.suffix in (".html", ".txt")
)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_template_comment_closes_on_its_own_line(path):
    """`{# … #}` is one line only: a comment that runs on is printed on the page (or the PDF);
    longer notes are `{% comment %}` blocks."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "{#" in line:
            assert "#}" in line[line.index("{#") :], f"{path.name}:{number} opens {{# without closing it"
