"""The benchmark: a large dataset, the commands that time the portal on it, the floor view.

Installed and routed only by ``moa_portal.settings.bench`` (and the test settings, so its
tests run in ``make test``). Production and base settings never reach it, and no app imports
it. Scripts in this folder (``run.sh``, ``loadtest.py``, ``profile_page.py``) drive it.
"""
