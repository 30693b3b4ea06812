"""Progress updates: the item's status follows its latest update; nothing is lost or overwritten."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from activities import services
from activities.models import Evidence, ProgressUpdate
from activities.tests import files
from activities.tests.factories import ProgressUpdateFactory
from agreements.models import CommitmentStatus
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from core.time import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    lead = PartyFactory()
    return CommitmentFactory(
        agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 15), parties=[lead, PartyFactory()]),
        lead_party=lead,
    )


def log(item, **overrides):
    values = {
        "commitment": item,
        "acting_user": overrides.pop("acting_user", None) or UserFactory(party=item.leads[0]),
        "reporting_party": item.leads[0],
        "as_of": datetime.date(2021, 6, 30),
        "status": CommitmentStatus.ON_TRACK,
        "percent_complete": 40,
        "narrative": "Team formed.",
    }
    values.update(overrides)
    return services.progress_update_create(**values)


def test_new_update_sets_the_item_status(item):
    log(item, status=CommitmentStatus.AT_RISK)
    item.refresh_from_db()
    assert item.status == CommitmentStatus.AT_RISK


def test_status_follows_the_latest_as_of_not_the_latest_entered(item):
    log(item, as_of=datetime.date(2021, 9, 30), status=CommitmentStatus.BLOCKED)
    log(item, as_of=datetime.date(2021, 6, 30), status=CommitmentStatus.ON_TRACK)
    item.refresh_from_db()
    assert item.status == CommitmentStatus.BLOCKED


def test_same_as_of_day_the_later_entry_wins(item):
    with time_machine.travel(datetime.datetime(2022, 1, 1, 12, tzinfo=datetime.UTC)):
        log(item, status=CommitmentStatus.ON_TRACK)
    with time_machine.travel(datetime.datetime(2022, 1, 2, 12, tzinfo=datetime.UTC)):
        log(item, status=CommitmentStatus.COMPLETE, percent_complete=100)
    item.refresh_from_db()
    assert item.status == CommitmentStatus.COMPLETE


def test_correction_is_a_new_update_naming_the_one_it_corrects(item):
    first = log(item, status=CommitmentStatus.COMPLETE, percent_complete=100)
    correction = log(item, status=CommitmentStatus.AT_RISK, percent_complete=60, corrects=first)
    item.refresh_from_db()
    assert ProgressUpdate.objects.filter(commitment=item).count() == 2
    assert correction.corrects == first
    assert item.status == CommitmentStatus.AT_RISK


def test_correction_of_another_items_update_is_refused(item):
    other = ProgressUpdateFactory()
    with pytest.raises(ValidationError, match="same commitment"):
        log(item, corrects=other)


def test_percent_over_100_is_refused(item):
    with pytest.raises(ValidationError) as refusal:
        log(item, percent_complete=101)
    assert "percent_complete" in refusal.value.error_dict


def test_percent_out_of_range_is_refused_by_the_database_too(item):
    with pytest.raises(IntegrityError):
        ProgressUpdateFactory(commitment=item, percent_complete=101)


def test_as_of_before_execution_is_refused(item):
    with pytest.raises(ValidationError, match="before the agreement was executed"):
        log(item, as_of=datetime.date(2020, 1, 14))


def test_as_of_in_the_future_is_refused(item):
    with pytest.raises(ValidationError, match="in the future"):
        log(item, as_of=today() + datetime.timedelta(days=1))


def test_blank_narrative_is_refused(item):
    with pytest.raises(ValidationError) as refusal:
        log(item, narrative="   ")
    assert "narrative" in refusal.value.error_dict


def test_html_in_the_narrative_is_stored_as_typed(item):
    update = log(item, narrative="<script>alert('x')</script> & more")
    update.refresh_from_db()
    assert update.narrative == "<script>alert('x')</script> & more"


def test_evidence_is_stored_under_a_generated_name_with_its_hash(item, evidence_storage):
    update = log(item, files=[files.pdf("Q2 report.pdf")])
    evidence = update.evidence.get()
    assert evidence.original_name == "Q2 report.pdf"
    assert "Q2" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    assert evidence.sha256 and evidence.size == len(files.PDF)
    assert (evidence_storage / evidence.file.name).read_bytes() == files.PDF


def test_refused_upload_saves_nothing_of_the_update(item, evidence_storage):
    with pytest.raises(ValidationError):
        log(item, files=[files.pdf("good.pdf"), files.upload("tool.pdf", files.EXE)])
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    item.refresh_from_db()
    assert item.status == CommitmentStatus.NOT_STARTED
    assert not evidence_storage.exists() or not any(p.is_file() for p in evidence_storage.rglob("*"))


def test_author_can_edit_within_24_hours_and_history_keeps_the_first_version(item):
    with time_machine.travel(datetime.datetime(2022, 1, 1, 12, tzinfo=datetime.UTC)):
        update = log(item, narrative="First words.")
    with time_machine.travel(datetime.datetime(2022, 1, 2, 11, tzinfo=datetime.UTC)):
        services.progress_update_edit(
            update=update,
            acting_user=update.author,
            expected_version=update.version,
            as_of=update.as_of,
            status=CommitmentStatus.BLOCKED,
            percent_complete=40,
            narrative="Better words.",
        )
    update.refresh_from_db()
    item.refresh_from_db()
    assert update.narrative == "Better words."
    assert item.status == CommitmentStatus.BLOCKED
    assert [h.narrative for h in update.history.order_by("history_date")] == ["First words.", "Better words."]


def test_edit_after_24_hours_is_refused(item):
    with time_machine.travel(datetime.datetime(2022, 1, 1, 12, tzinfo=datetime.UTC)):
        update = log(item)
    with (
        time_machine.travel(datetime.datetime(2022, 1, 2, 12, 1, tzinfo=datetime.UTC)),
        pytest.raises(ValidationError, match="24 hours"),
    ):
        services.progress_update_edit(
            update=update,
            acting_user=update.author,
            expected_version=update.version,
            as_of=update.as_of,
            status="on_track",
            percent_complete=1,
            narrative="x",
        )


def test_edit_by_someone_other_than_the_author_is_refused(item):
    update = log(item)
    colleague = UserFactory(party=item.leads[0])
    with pytest.raises(ValidationError, match="Only the author"):
        services.progress_update_edit(
            update=update,
            acting_user=colleague,
            expected_version=update.version,
            as_of=update.as_of,
            status="on_track",
            percent_complete=1,
            narrative="x",
        )
