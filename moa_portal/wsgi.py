"""WSGI entry point for gunicorn: refuses to start on a production configuration that is broken."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moa_portal.settings.production")

application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402  (needs the apps loaded)

from moa_portal.checks import refuse_broken_configuration  # noqa: E402  (needs the apps loaded)

refuse_broken_configuration()

# What every request uses and no request frees (Django, the apps, the models, the URL patterns
# and the views they import: about 200,000 objects) is moved out of the garbage collector's
# reach. Otherwise each full collection walked all of it: a pause of up to 245 ms every 30-odd
# requests, which made the p99 of the API lists 275-317 ms where their p50 is 57-83
# (docs/performance.md). The URL patterns are loaded first so the views are among them.
get_resolver().url_patterns  # noqa: B018  (loads the URLconf and the views)
gc.freeze()
