"""The bench's tests run as settings/bench.py would run the bench: its URL map, BENCH on.

The test settings install the app but leave the portal's URL map and ``BENCH`` off, as every
other app's tests need them; each bench test turns them on here, and the refusal tests turn
``BENCH`` back off.
"""

import pytest


@pytest.fixture(autouse=True)
def bench_settings(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH = True
