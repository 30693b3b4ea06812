"""Links to the filtered lists (core/links.py): the list's path, kept per script prefix."""

from django.urls import get_script_prefix, reverse, set_script_prefix

from core.links import list_url


def test_a_list_link_is_the_lists_path_and_its_filters_in_order_without_empty_ones():
    url = list_url("activities:commitment_list", agreement="pact", party=None, status="at_risk", q="")
    assert url == reverse("activities:commitment_list") + "?agreement=pact&status=at_risk"


def test_a_list_link_follows_the_script_prefix_the_portal_is_served_under():
    before = get_script_prefix()
    try:
        assert list_url("activities:commitment_list") == "/commitments/"
        set_script_prefix("/moa/")
        assert list_url("activities:commitment_list") == "/moa/commitments/"
    finally:
        set_script_prefix(before)
    assert list_url("activities:commitment_list") == "/commitments/"
