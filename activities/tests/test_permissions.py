"""Who may log, edit, record and download: the rules in activities/permissions.py."""

import datetime

import pytest
import time_machine

from activities import permissions
from activities.tests.factories import ProgressUpdateFactory
from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory


def test_staff_report_on_items_their_party_leads_and_joint_items(doc_staff, moa):
    assert permissions.can_report_on(doc_staff, moa.commitments.get(code="DOC-A1"))
    assert permissions.can_report_on(doc_staff, moa.commitments.get(code="VI.3"))
    assert not permissions.can_report_on(doc_staff, moa.commitments.get(code="DHS-A1"))


def test_user_without_a_role_cannot_report(doc, moa):
    no_role = UserFactory(party=doc)
    assert not permissions.can_report_on(no_role, moa.commitments.get(code="DOC-A1"))


def test_staff_of_either_party_record_meetings_but_outsiders_do_not(doc_staff, dhs_staff, outsider, moa):
    assert permissions.can_record_meeting(doc_staff, moa)
    assert permissions.can_record_meeting(dhs_staff, moa)
    assert not permissions.can_record_meeting(outsider, moa)
    assert not permissions.can_record_outreach(outsider, moa)


@pytest.mark.django_db
def test_only_the_author_edits_and_only_for_24_hours(doc, doc_staff, moa):
    with time_machine.travel(datetime.datetime(2022, 1, 1, 12, tzinfo=datetime.UTC)):
        update = ProgressUpdateFactory(
            commitment=moa.commitments.get(code="DOC-A1"), reporting_party=doc, author=doc_staff
        )
    colleague = UserFactory(party=doc, roles=[STAFF])
    with time_machine.travel(datetime.datetime(2022, 1, 2, 11, tzinfo=datetime.UTC)):
        assert permissions.can_edit_update(doc_staff, update)
        assert not permissions.can_edit_update(colleague, update)
    with time_machine.travel(datetime.datetime(2022, 1, 2, 12, 1, tzinfo=datetime.UTC)):
        assert not permissions.can_edit_update(doc_staff, update)
