"""Evidence files written by tests go to a temporary folder, never to var/."""

import pytest


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "evidence"
    return settings.MEDIA_ROOT
