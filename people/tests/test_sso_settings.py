"""Several OpenID providers configured from the environment, as a deployment sets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRINT_PROVIDERS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps(settings.OIDC_PROVIDERS))"
)


def test_each_provider_named_in_oidc_providers_is_read_from_its_own_variables():
    environ = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.local",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "OIDC_PROVIDERS": "agency,login-gov",
        "OIDC_AGENCY_ISSUER": "https://sts.example.gov/adfs",
        "OIDC_AGENCY_CLIENT_ID": "moa",
        "OIDC_AGENCY_CLIENT_SECRET": "s3cret",
        "OIDC_AGENCY_LABEL": "DOC Active Directory",
        "OIDC_LOGIN_GOV_ISSUER": "https://idp.int.identitysandbox.gov",
        "OIDC_LOGIN_GOV_CLIENT_ID": "urn:gov:gsa:openidconnect.profiles:sp:sso:doc:moa",
        "OIDC_LOGIN_GOV_ACR_VALUES": "http://idmanagement.gov/ns/assurance/ial/1",
    }
    command = [sys.executable, "-c", PRINT_PROVIDERS]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stderr
    providers = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(providers) == ["agency", "login-gov"]
    assert providers["agency"]["name"] == "DOC Active Directory"
    assert providers["agency"]["client_secret"] == "s3cret"
    assert providers["login-gov"]["client_secret"] == ""
    assert providers["login-gov"]["scopes"] == "openid email"
    assert providers["login-gov"]["acr_values"] == "http://idmanagement.gov/ns/assurance/ial/1"
