"""WSGI entry point for gunicorn: refuses to start on a production configuration that is broken."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moa_portal.settings.production")

application = get_wsgi_application()

from moa_portal.checks import refuse_broken_configuration  # noqa: E402  (needs the apps loaded)

refuse_broken_configuration()
