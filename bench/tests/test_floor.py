"""The benchmark's floor view and the session the load generator signs in with."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse


def test_the_portals_own_url_map_has_no_floor_view(client, doc_staff, settings):
    settings.ROOT_URLCONF = "moa_portal.urls"
    client.force_login(doc_staff)
    assert client.get("/bench/floor").status_code == 404


def test_floor_view_answers_with_one_query(client, doc_staff, django_assert_max_num_queries):
    client.force_login(doc_staff)
    client.get(reverse("bench_floor"))
    # session, user, the one query of the view, session save (in a transaction)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("bench_floor")).status_code == 200


def test_floor_view_sends_anonymous_users_to_login(client, db):
    assert client.get(reverse("bench_floor")).status_code == 302


def test_bench_session_signs_the_user_in(client, doc_staff, capsys):
    call_command("bench_session", "--username", doc_staff.username)
    name, key = capsys.readouterr().out.strip().split("=")
    client.cookies[name] = key
    assert client.get(reverse("bench_floor")).status_code == 200


def test_bench_session_refuses_to_run_outside_the_bench_settings(doc_staff, settings, capsys):
    settings.BENCH = False
    with pytest.raises(CommandError, match="benchmarks only"):
        call_command("bench_session", "--username", doc_staff.username)
    assert capsys.readouterr().out == ""


def test_bench_jobs_times_each_registered_job_with_its_query_count(db, monkeypatch, capsys):
    from bench.management.commands import bench_jobs

    monkeypatch.setattr(bench_jobs, "JOBS", [("bench data present", "bench.data.bench_data_present", {})])
    call_command("bench_jobs")
    out = capsys.readouterr().out
    # name, first run's seconds, its query count (one), then the re-run's.
    assert re.search(r"bench data present\s+[\d.]+ s\s+1\s", out), out


def test_bench_jobs_refuses_to_run_outside_the_bench_settings(db, settings, capsys):
    settings.BENCH = False
    with pytest.raises(CommandError, match="benchmarks only"):
        call_command("bench_jobs")
    assert capsys.readouterr().out == ""
