"""Production refuses a configuration that would send nothing or send it wrong, naming the setting.

Each test runs a real process under moa_portal.settings.production with a given environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GOOD = {
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "moa.example.gov",
    "DATABASE_URL": "postgres://moa:moa@127.0.0.1:5432/moa_unused",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.gov:587",
    "PORTAL_URL": "https://moa.example.gov",
    "DEFAULT_FROM_EMAIL": "MOA Portal <moa-portal@example.gov>",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """A process under production settings with exactly this environment (no .env from the tree)."""
    environ = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_refuses_the_console_email_backend_naming_the_setting():
    result = run(["manage.py", "check", "--deploy"], **{**GOOD, "EMAIL_URL": "consolemail://"})
    assert result.returncode != 0
    assert "moa_portal.E001" in result.stderr
    assert "EMAIL_URL" in result.stderr


def test_check_deploy_names_every_broken_setting():
    env = {
        k: v
        for k, v in GOOD.items()
        if k not in ("REDIS_URL", "PORTAL_URL", "DEFAULT_FROM_EMAIL", "EMAIL_URL")
    }
    result = run(["manage.py", "check", "--deploy"], **env)
    assert result.returncode != 0
    for check_id, setting in [
        ("moa_portal.E001", "EMAIL_URL"),
        ("moa_portal.E002", "REDIS_URL"),
        ("moa_portal.E003", "PORTAL_URL"),
        ("moa_portal.E004", "https"),
        ("moa_portal.E005", "DEFAULT_FROM_EMAIL"),
    ]:
        assert check_id in result.stderr and setting in result.stderr, check_id


def test_gunicorn_refuses_to_load_the_portal_with_the_console_backend():
    result = run(["-c", "import moa_portal.wsgi"], **{**GOOD, "EMAIL_URL": "consolemail://"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "moa_portal.E001" in result.stderr


def test_a_celery_worker_refuses_to_start_with_the_console_backend():
    result = run(
        ["-m", "celery", "-A", "moa_portal", "worker", "--pool=solo", "--without-mingle"],
        **{**GOOD, "EMAIL_URL": "consolemail://"},
    )
    assert result.returncode != 0
    assert "moa_portal.E001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("PORTAL_URL", "http://moa.example.gov", "moa_portal.E004"),
        ("PORTAL_URL", "https://localhost:8443", "moa_portal.E003"),
        ("DEFAULT_FROM_EMAIL", "moa-portal@localhost", "moa_portal.E005"),
        ("WEBHOOK_ALLOW_LOOPBACK", "true", "moa_portal.E007"),
        # Passkeys for another domain, an address, or a plain-http origin: none would work.
        ("OTP_WEBAUTHN_RP_ID", "example.org", "moa_portal.E011"),
        ("OTP_WEBAUTHN_RP_ID", "10.0.0.8", "moa_portal.E011"),
        ("OTP_WEBAUTHN_ALLOWED_ORIGINS", "http://moa.example.gov", "moa_portal.E011"),
    ],
)
def test_each_broken_setting_is_refused_alone(setting, value, check_id):
    result = run(["manage.py", "check", "--deploy"], **{**GOOD, setting: value})
    assert result.returncode != 0 and check_id in result.stderr and setting in result.stderr


def test_a_good_production_configuration_passes_check_deploy():
    result = run(["manage.py", "check", "--deploy"], **GOOD)
    assert result.returncode == 0, result.stderr
    assert "moa_portal." not in result.stderr


def test_passkeys_bound_to_the_domain_above_the_portals_host_pass_check_deploy():
    env = {
        **GOOD,
        "OTP_WEBAUTHN_RP_ID": "example.gov",
        "OTP_WEBAUTHN_ALLOWED_ORIGINS": "https://moa.example.gov",
    }
    result = run(["manage.py", "check", "--deploy"], **env)
    assert result.returncode == 0, result.stderr
    assert "moa_portal.E011" not in result.stderr


def test_saml_providers_without_an_https_answer_address_or_trusted_metadata_are_refused():
    env = {
        **GOOD,
        "SAML_PROVIDERS": "agency",
        "SAML_AGENCY_ENTITY_ID": "https://idp.example.gov/saml",
        "SAML_AGENCY_METADATA_URL": "http://idp.example.gov/metadata",
    }
    result = run(["manage.py", "check", "--deploy"], **env)
    assert result.returncode != 0
    assert "moa_portal.E010" in result.stderr
    assert "SAML_SP_BASE_URL" in result.stderr and "SAML_AGENCY_METADATA_FILE" in result.stderr


def test_a_saml_provider_with_its_metadata_file_and_an_https_portal_passes(tmp_path):
    metadata = tmp_path / "agency-idp.xml"
    metadata.write_text("<EntityDescriptor/>")
    env = {
        **GOOD,
        "SAML_PROVIDERS": "agency",
        "SAML_AGENCY_ENTITY_ID": "https://idp.example.gov/saml",
        "SAML_AGENCY_METADATA_FILE": str(metadata),
        "SAML_SP_BASE_URL": "https://moa.example.gov",
    }
    result = run(["manage.py", "check", "--deploy"], **env)
    assert "moa_portal.E010" not in result.stderr
