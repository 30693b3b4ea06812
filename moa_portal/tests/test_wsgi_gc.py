"""The WSGI module moves what it loaded out of the garbage collector's reach (gc.freeze)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_application_freezes_what_it_loaded_views_included():
    script = (
        "import gc, sys\n"
        "import moa_portal.wsgi\n"
        "import activities.views\n"
        "frozen = gc.get_freeze_count()\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "print(frozen, id(activities.views.__dict__) in tracked)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "moa_portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    frozen, views_still_tracked = done.stdout.split()
    assert int(frozen) > 50_000
    assert views_still_tracked == "False"  # the views were loaded before the freeze
