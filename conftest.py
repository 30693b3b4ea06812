"""Fixtures shared by every app's tests: the loaded MOA and one user per role and party."""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, settings

from agreements.agreement_file import read_agreement
from agreements.models import Agreement, Party
from agreements.permissions import ADMIN, MANAGER, STAFF
from agreements.services import import_agreement
from agreements.tests.factories import PartyFactory, UserFactory
from people.signin import forget_address_counters, forget_all_counters

DATA_DIR = Path(__file__).resolve().parent / "agreements" / "data"
MOA_FILE = DATA_DIR / "doc-dhs-ecommerce-moa-2017.yaml"
EXAMPLE_MOU_FILE = DATA_DIR / "example-mou-2024.yaml"


@pytest.fixture(scope="session", autouse=True)
def evidence_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    """Files the tests upload land in this run's temporary folder, never in the checkout,
    so a test run leaves nothing behind (tests that look at the files set their own)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("evidence")):
        yield


@pytest.fixture(autouse=True, scope="session")
def no_counters_of_earlier_runs():
    """Per-account reset budgets are keyed by user id, and a new test database numbers users
    from 1 again: counters an earlier run left in Redis would spend this run's budgets."""
    forget_all_counters()


@pytest.fixture(autouse=True)
def fresh_sign_in_counters():
    """Every test client signs in from 127.0.0.1: each test starts with that address's
    sign-in and password-reset budgets unspent (the counters live in Redis, across tests)."""
    forget_address_counters("127.0.0.1")
    yield
    forget_address_counters("127.0.0.1")


@pytest.fixture
def moa(db) -> Agreement:
    """The 2017 DOC–DHS International E-Commerce Supply Chain MOA, imported from its file."""
    return import_agreement(doc=read_agreement(MOA_FILE)).agreement


@pytest.fixture
def doc(moa) -> Party:
    return Party.objects.get(acronym="DOC")


@pytest.fixture
def dhs(moa) -> Party:
    return Party.objects.get(acronym="DHS")


@pytest.fixture
def doc_staff(doc):
    return UserFactory(username="doc.staff", party=doc, roles=[STAFF])


@pytest.fixture
def dhs_staff(dhs):
    return UserFactory(username="dhs.staff", party=dhs, roles=[STAFF])


@pytest.fixture
def doc_manager(doc):
    return UserFactory(username="doc.manager", party=doc, roles=[MANAGER])


@pytest.fixture
def doc_admin(doc):
    return UserFactory(username="doc.admin", party=doc, roles=[ADMIN], is_staff=True)


@pytest.fixture
def outsider(moa):
    """A user of a party that is not on the MOA."""
    return UserFactory(username="outsider", party=PartyFactory(acronym="NPA"), roles=[STAFF])


# Fuzz tests (moa_portal/tests/test_fuzz.py): a bounded number of examples so they run in
# `make test`; FUZZ_EXAMPLES raises it for a longer search. Fixtures are function-scoped on
# purpose: one database transaction per test, shared by its examples.
settings.register_profile(
    "moa",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("moa")
