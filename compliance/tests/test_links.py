"""The querystrings of the drill-down links follow the portal's URL contract."""

from compliance import links


def test_querystring_leaves_out_empty_filters_and_keeps_their_order():
    assert links.querystring(agreement="pact", party=None, status="at_risk", kind="") == (
        "?agreement=pact&status=at_risk"
    )


def test_querystring_escapes_values():
    assert links.querystring(q="a&b c") == "?q=a%26b+c"


def test_contact_list_links_follow_the_contract_path():
    assert links.list_url(links.CONTACT_LIST, agreement="pact") == "/contacts/?agreement=pact"


def test_progress_lists_are_reversed_with_their_filters():
    assert (
        links.list_url(links.COMMITMENT_LIST, agreement="pact", stale="1")
        == "/commitments/?agreement=pact&stale=1"
    )
    assert links.url_for("activities:meeting_detail", pk=7) == "/meetings/7/"


def test_installed_urls_are_reversed_by_name():
    assert links.url_for("agreements:detail", slug="pact") == "/agreements/pact/"
