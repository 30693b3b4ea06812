"""Logging progress in the browser: who may, what the form refuses, and the item page timeline."""

import datetime

from django.urls import reverse

from activities.models import Evidence, ProgressUpdate
from activities.tests import files
from activities.tests.factories import ProgressUpdateFactory
from agreements.models import CommitmentStatus
from agreements.permissions import STAFF
from agreements.tests.factories import UserFactory
from core.time import today


def create_url(moa, code):
    return reverse("activities:update_create", kwargs={"slug": moa.slug, "code": code})


def form_data(party, **overrides):
    data = {
        "as_of": "2021-06-30",
        "status": "on_track",
        "percent_complete": "40",
        "narrative": "The team is formed.",
        "next_steps": "Recruit two more.",
        "reporting_party": str(party.pk),
    }
    data.update(overrides)
    return data


def test_form_defaults_to_today_and_the_users_party(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.get(create_url(moa, "DOC-A1"))
    form = response.context["form"]
    moa.refresh_from_db()
    assert form.initial["as_of"] == min(today(), moa.expires_on)  # updates fall within the term
    assert form.initial["reporting_party"] == doc.pk


def test_staff_log_an_update_on_an_item_their_party_leads(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, status="at_risk"), follow=True)
    item = moa.commitments.get(code="DOC-A1")
    assert response.redirect_chain[-1][0] == item.get_absolute_url()
    assert "Update saved for DOC-A1" in response.content.decode()
    item.refresh_from_db()
    assert item.status == CommitmentStatus.AT_RISK
    update = item.updates.get()
    assert (update.author, update.reporting_party) == (doc_staff, doc)


def test_staff_log_on_a_joint_item_their_party_co_leads(client, dhs_staff, dhs, moa):
    client.force_login(dhs_staff)
    response = client.post(create_url(moa, "VI.5"), form_data(dhs))
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(commitment__code="VI.5", reporting_party=dhs).exists()


def test_staff_are_refused_with_a_reason_on_the_other_partys_item(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DHS-A1"), form_data(doc))
    assert response.status_code == 403
    assert "DHS-A1 is led by DHS" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_manager_without_staff_duties_is_allowed_as_staff_role_is_implied(client, doc_manager, doc, moa):
    client.force_login(doc_manager)
    assert client.get(create_url(moa, "DOC-A1")).status_code == 200


def test_user_of_a_party_not_on_the_agreement_gets_404(client, outsider, moa):
    client.force_login(outsider)
    assert client.get(create_url(moa, "DOC-A1")).status_code == 404


def test_percent_over_100_is_refused_next_to_the_field_and_the_form_stays_filled(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, percent_complete="150"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["percent_complete"] == ["Percent complete must be between 0 and 100."]
    page = response.content.decode()
    assert 'aria-describedby="id_percent_complete_error' in page or "id_percent_complete_error" in page
    assert "The team is formed." in page
    assert not ProgressUpdate.objects.exists()


def test_negative_percent_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, percent_complete="-1"))
    assert "percent_complete" in response.context["form"].errors


def test_as_of_before_execution_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, as_of="2017-10-18"))
    assert (
        "before the agreement was executed (October 19, 2017)" in response.context["form"].errors["as_of"][0]
    )


def test_as_of_in_the_future_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, as_of=tomorrow))
    assert "in the future" in response.context["form"].errors["as_of"][0]


def test_empty_narrative_is_refused(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, narrative="  "))
    assert response.context["form"].errors["narrative"] == [
        "Write a narrative: say how the commitment is moving."
    ]


def test_reporting_for_another_party_is_refused(client, doc_staff, dhs, moa):
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "VI.5"), form_data(dhs))
    assert "reporting_party" in response.context["form"].errors
    assert not ProgressUpdate.objects.exists()


def test_refused_upload_saves_nothing_and_says_why(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    data = form_data(doc, evidence=[files.pdf("ok.pdf"), files.upload("report.pdf", files.EXE)])
    response = client.post(create_url(moa, "DOC-A1"), data)
    assert response.status_code == 200
    assert "its content is a program" in response.context["form"].errors["evidence"][0]
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_oversized_upload_is_refused(client, doc_staff, doc, moa, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    client.force_login(doc_staff)
    response = client.post(create_url(moa, "DOC-A1"), form_data(doc, evidence=files.pdf()))
    assert "files may be at most 10" in response.context["form"].errors["evidence"][0]
    assert not ProgressUpdate.objects.exists()


def test_posted_file_name_with_path_parts_is_stored_under_a_generated_name(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    client.post(create_url(moa, "DOC-A1"), form_data(doc, evidence=files.pdf("../../etc/report.pdf")))
    evidence = Evidence.objects.get()
    assert ".." not in evidence.file.name and "etc" not in evidence.file.name
    assert evidence.original_name == "report.pdf"


def test_html_typed_in_the_narrative_is_shown_escaped(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    client.post(create_url(moa, "DOC-A1"), form_data(doc, narrative="<script>alert(1)</script>"))
    page = client.get(moa.commitments.get(code="DOC-A1").get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ProgressUpdate.objects.get().narrative == "<script>alert(1)</script>"


def test_correction_link_prefills_the_form_and_saves_a_new_update(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    wrong = ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff, percent_complete=90)
    client.force_login(doc_staff)
    url = create_url(moa, "DOC-A1") + f"?corrects={wrong.pk}"
    assert client.get(url).context["form"].initial["percent_complete"] == 90
    client.post(url, form_data(doc, percent_complete="30"))
    correction = item.updates.exclude(pk=wrong.pk).get()
    assert correction.corrects == wrong
    assert ProgressUpdate.objects.filter(pk=wrong.pk, percent_complete=90).exists()


def test_author_edits_their_fresh_update(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    client.post(create_url(moa, "DOC-A1"), form_data(doc))
    update = ProgressUpdate.objects.get()
    url = reverse("activities:update_edit", kwargs={"pk": update.pk})
    response = client.post(url, form_data(doc, narrative="Fixed a typo.", version=str(update.version)))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Fixed a typo."


def test_colleague_cannot_edit_someone_elses_update(client, doc_staff, doc, moa):
    update = ProgressUpdateFactory(
        commitment=moa.commitments.get(code="DOC-A1"), reporting_party=doc, author=doc_staff
    )
    colleague = UserFactory(party=doc, roles=[STAFF])
    client.force_login(colleague)
    response = client.post(reverse("activities:update_edit", kwargs={"pk": update.pk}), form_data(doc))
    assert response.status_code == 403
    assert "add a correction" in response.content.decode()


def test_item_page_timeline_is_newest_first(client, doc_staff, doc, moa):
    item = moa.commitments.get(code="DOC-A1")
    old = ProgressUpdateFactory(commitment=item, reporting_party=doc, as_of=datetime.date(2019, 3, 31))
    new = ProgressUpdateFactory(commitment=item, reporting_party=doc, as_of=datetime.date(2020, 3, 31))
    middle = ProgressUpdateFactory(commitment=item, reporting_party=doc, as_of=datetime.date(2019, 9, 30))
    client.force_login(doc_staff)
    response = client.get(item.get_absolute_url())
    assert [e.record for e in response.context["timeline"]] == [new, middle, old]
    page = response.content.decode()
    assert page.index(f"update-{new.pk}") < page.index(f"update-{middle.pk}") < page.index(f"update-{old.pk}")


def test_item_page_shows_source_clause_link_and_log_button(client, doc_staff, moa):
    item = moa.commitments.get(code="DOC-A1")
    client.force_login(doc_staff)
    page = client.get(item.get_absolute_url()).content.decode()
    assert item.source_section.get_absolute_url() in page
    assert create_url(moa, "DOC-A1") in page


def test_item_page_hides_log_button_from_the_other_party(client, dhs_staff, moa):
    client.force_login(dhs_staff)
    page = client.get(moa.commitments.get(code="DOC-A1").get_absolute_url()).content.decode()
    assert create_url(moa, "DOC-A1") not in page
    assert "logged by staff of DOC" in page


def test_correction_of_a_malformed_update_id_is_404(client, doc_staff, moa):
    client.force_login(doc_staff)
    assert client.get(create_url(moa, "DOC-A1") + "?corrects=abc").status_code == 404
