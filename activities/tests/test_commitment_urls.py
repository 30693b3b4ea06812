"""Commitments have one name in their web addresses; the old /items/ addresses move there for good."""

from django.urls import reverse


def test_the_old_list_address_moves_permanently_to_the_commitments_list_with_its_filters(client, doc_staff):
    client.force_login(doc_staff)
    response = client.get("/items/?party=DOC&due=overdue")
    assert response.status_code == 301
    assert response["Location"] == reverse("activities:commitment_list") + "?party=DOC&due=overdue"


def test_the_old_commitment_address_moves_permanently_to_its_commitment_page(client, doc_staff, moa):
    client.force_login(doc_staff)
    commitment = moa.commitments.get(code="DOC-A1")
    response = client.get(f"/agreements/{moa.slug}/items/DOC-A1/")
    assert response.status_code == 301
    assert response["Location"] == commitment.get_absolute_url()
    assert commitment.get_absolute_url() == f"/agreements/{moa.slug}/commitments/DOC-A1/"


def test_the_old_update_form_address_moves_to_the_commitments_form(client, doc_staff, moa):
    client.force_login(doc_staff)
    response = client.get(f"/agreements/{moa.slug}/items/DOC-A1/updates/new/")
    assert response.status_code == 301
    assert response["Location"] == reverse("activities:update_create", args=[moa.slug, "DOC-A1"])


def test_the_commitments_list_is_headed_commitments(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(reverse("activities:commitment_list")).content.decode()
    assert '<h1 class="h2">Commitments</h1>' in page
    assert ">Commitments</a>" in page  # the navigation names the list the same way
