"""The import refuses what an agreement cannot mean: each test fails when its rule is removed
(issue 20: breaking either rule on purpose used to leave the whole suite green)."""

from pathlib import Path

import pytest
import yaml

from agreements.agreement_file import AgreementFileError, read_agreement_file
from agreements.models import Agreement
from agreements.services import import_agreement
from conftest import MOA_FILE

MOA_SCHEMA1 = Path(__file__).resolve().parent / "data" / "doc-dhs-ecommerce-moa-2017.schema1.yaml"


def _moa_with(tmp_path, change, source=MOA_FILE) -> str:
    data = yaml.safe_load(source.read_text())
    change(data)
    path = tmp_path / "moa.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def _bad_email(data):
    data["points_of_contact"][0]["email"] = "director.example.gov"


def _executed_before_proposed(data):
    data["modifications"] = [
        {
            "number": 1,
            "title": "Extension",
            "text": "The term is extended.",
            "proposed_on": "2021-06-01",
            "executions": [
                {
                    "party": data["parties"][0].get("key", data["parties"][0]["acronym"]),
                    "executed_on": "2021-05-31",
                },
            ],
        }
    ]


@pytest.mark.django_db
def test_import_refuses_a_point_of_contact_with_a_bad_email_address(tmp_path):
    with pytest.raises(AgreementFileError, match=r"points_of_contact\[0\]\.email.*not an e-mail address"):
        import_agreement(read_agreement_file(_moa_with(tmp_path, _bad_email)))
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_import_refuses_a_modification_executed_before_it_was_proposed(tmp_path):
    with pytest.raises(AgreementFileError, match=r"executed_on.*before the modification was proposed"):
        import_agreement(read_agreement_file(_moa_with(tmp_path, _executed_before_proposed)))
    assert not Agreement.objects.exists()


# Schema-1 files are read by their own reader (schema1.py), which states both rules again.


@pytest.mark.django_db
def test_import_refuses_a_bad_email_address_in_a_schema1_file(tmp_path):
    with pytest.raises(AgreementFileError, match=r"points_of_contact\[0\]\.email.*not an e-mail address"):
        import_agreement(read_agreement_file(_moa_with(tmp_path, _bad_email, MOA_SCHEMA1)))
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_import_refuses_an_execution_before_the_proposal_in_a_schema1_file(tmp_path):
    with pytest.raises(AgreementFileError, match=r"executed_on.*before the modification was proposed"):
        import_agreement(read_agreement_file(_moa_with(tmp_path, _executed_before_proposed, MOA_SCHEMA1)))
    assert not Agreement.objects.exists()
