"""The records the load asks for beside the generated data, and every benchmarked page answering."""

import json

import pytest
from django.core.management import call_command

from agreements.models import Agreement, AgreementStatus, TextReading
from api.models import AccessToken
from bench.data import Plan, generate_bench_data
from bench.loadtest import PAGES


@pytest.fixture
def bench(db):
    return generate_bench_data(plan=Plan.at_scale(0.01), log=lambda line: None)


def _fixtures(capsys) -> dict[str, str]:
    call_command("bench_fixtures")
    return dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())


def test_fixtures_make_a_draft_a_reading_and_a_read_only_token_once(bench, capsys):
    first = _fixtures(capsys)
    second = _fixtures(capsys)
    assert Agreement.objects.get(slug=first["draft"]).status == AgreementStatus.DRAFT
    assert TextReading.objects.filter(pk=first["reading"]).exists()
    assert (second["draft"], second["reading"], second["admin"]) == (
        first["draft"],
        first["reading"],
        first["admin"],
    )
    live = AccessToken.objects.filter(name="bench load", revoked_at__isnull=True)
    assert live.count() == 1
    assert live.get().scope == AccessToken.Scope.READ
    assert first["token"] != second["token"]


def test_every_benchmarked_page_answers_as_the_load_expects(bench, capsys, settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver"]
    f = _fixtures(capsys)
    out = tmp_path / "queries.json"
    call_command(
        "bench_queries",
        "--agreement",
        "bench-001",
        "--draft",
        f["draft"],
        "--reading",
        f["reading"],
        "--admin",
        f["admin"],
        "--token",
        f["token"],
        "--json",
        str(out),
    )
    rows = {r["name"]: r for r in json.loads(out.read_text())}
    expected = {p.name: p.expect for p in PAGES if p.method == "GET" and p.name != "floor"}
    assert {name: rows[name]["status"] for name in expected} == expected
    assert all(rows[name]["queries"] > 0 for name in expected)
