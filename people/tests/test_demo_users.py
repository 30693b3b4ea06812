"""demo_users: a staff, a manager and an admin for every party of the loaded agreements."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from agreements.agreement_file import read_agreement
from agreements.services import import_agreement

pytestmark = pytest.mark.django_db
LOGISTICS = Path(__file__).resolve().parents[2] / "agreements" / "tests" / "data" / "logistics-moa-1978.yaml"


@override_settings(DEBUG=True)
def test_demo_users_are_made_for_every_party_of_every_loaded_agreement(moa):
    import_agreement(doc=read_agreement(LOGISTICS))
    out = StringIO()
    call_command("demo_users", stdout=out)
    users = get_user_model().objects.filter(membership__isnull=False)
    made = {(u.membership.party.acronym, u.groups.get().name) for u in users}
    parties = {"DOC", "DHS", "NAVY", "DOE", "DOI"}
    assert made == {(p, role) for p in parties for role in ("Staff", "Manager", "Admin")}
    assert (
        "a staff, a manager and an admin for each of 5 parties (DHS, DOC, DOE, DOI, NAVY)" in out.getvalue()
    )


@override_settings(DEBUG=False)
def test_demo_users_refuse_production_settings(moa):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_users", stdout=StringIO())
    assert not get_user_model().objects.exists()
