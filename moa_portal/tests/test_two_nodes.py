"""Two web nodes behind the reference nginx share everything a user sees: no node keeps state.

Two gunicorn processes on free loopback ports, on the test database and the test's Redis (the
cache that keeps dashboards under a data version), with nginx in front rendered from
deploy/nginx/moa-portal.conf with both in its upstream (moa_portal.deploy_site), as
`make bench BENCH_NODES=2` runs them. Each test talks to node A and node B directly, so which
node answers is known, and the nginx test shows requests spread over both.

The idle timeout is SESSION_IDLE_MINUTES=2 on both nodes. Waiting minutes in a test is not
done: time passing is the session's clocks moved back in the session store both nodes read
(what the middleware compares with the time now), so "idle for 150 s" is exactly that to them.
"""

from __future__ import annotations

import datetime
import html
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.urls import reverse

from agreements.models import Commitment
from agreements.permissions import MANAGER
from agreements.tests.factories import (
    DEFAULT_PASSWORD,
    AgreementFactory,
    CommitmentFactory,
    PartyFactory,
    UserFactory,
)
from core import cache as data_cache
from core.time import today
from moa_portal.deploy_site import SITE, render_site, write_nginx_folder
from moa_portal.middleware import LAST_SEEN_KEY, SIGNED_IN_KEY
from moa_portal.tests.test_deploy import _stop, free_port, wait_for_port
from notifications.tests.test_worker import database_url

ROOT = Path(settings.BASE_DIR)
IDLE_MINUTES = 2
LOGIN = reverse("login")
MY_WORK = reverse("my_work")
DASHBOARD = reverse("compliance:dashboard")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Nodes:
    a: str
    b: str
    nginx: str
    logs: tuple[Path, Path]


def _gunicorn(port: int, log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "moa_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def nodes(django_db_setup, tmp_path_factory):
    """Two gunicorns on one database and one Redis, and the reference nginx in front of both."""
    tmp = tmp_path_factory.mktemp("two-nodes")
    os.chmod(tmp, 0o755)  # noqa: S103  (nginx's workers read from here)
    static_root, evidence_root = tmp / "static", tmp / "evidence"
    static_root.mkdir()
    evidence_root.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "moa_portal.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,  # the cache and data version this test process reads too
        "SESSION_IDLE_MINUTES": str(IDLE_MINUTES),
        "TRUSTED_PROXY_COUNT": "1",
        "MEDIA_ROOT": str(evidence_root),
    }
    port_a, port_b, nginx_port = free_port(), free_port(), free_port()
    logs = (tmp / "a.log", tmp / "b.log")
    processes = [_gunicorn(port_a, logs[0], env), _gunicorn(port_b, logs[1], env)]
    site = render_site(
        SITE.read_text(),
        port=nginx_port,
        upstreams=[port_a, port_b],
        static_root=static_root,
        evidence_root=evidence_root,
    )
    conf = write_nginx_folder(tmp / "nginx", site)
    processes.append(
        subprocess.Popen(
            [
                "/usr/sbin/nginx",
                "-p",
                str(conf.parent),
                "-c",
                str(conf),
                "-e",
                str(conf.parent / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    try:
        for port in (port_a, port_b, nginx_port):
            wait_for_port(port, "a web node or nginx", seconds=60)
        yield Nodes(
            f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", f"http://127.0.0.1:{nginx_port}", logs
        )
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture
def pact(transactional_db):
    """An agreement in force, one item its manager's party leads, and that manager."""
    party = PartyFactory(acronym="ABC")
    agreement = AgreementFactory(
        slug="pact",
        executed_on=today() - datetime.timedelta(days=365),
        parties=[party, PartyFactory(acronym="XYZ")],
    )
    item = CommitmentFactory(agreement=agreement, lead_party=party, title="Pilot the data exchange")
    manager = UserFactory(username="abc.manager", party=party, roles=[MANAGER])
    return agreement, item, manager


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def csrf_token(page: requests.Response) -> str:
    match = CSRF_FIELD.search(page.text)
    assert match, f"no CSRF field on {page.url}"
    return html.unescape(match.group(1))


def sign_in(node: str, user, *, then: str | None = None) -> requests.Session:
    """Sign in through the form: the form from `node`, the password posted to `then` (or `node`)."""
    browser = requests.Session()
    form = browser.get(node + LOGIN, timeout=30)
    answer = browser.post(
        (then or node) + LOGIN,
        data={
            "username": user.username,
            "password": DEFAULT_PASSWORD,
            "csrfmiddlewaretoken": csrf_token(form),
        },
        headers={"Referer": node + LOGIN},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    assert settings.SESSION_COOKIE_NAME in browser.cookies
    return browser


def time_passes(browser: requests.Session, seconds: int) -> None:
    """`seconds` pass for this session: its activity and sign-in clocks move back that much."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(
        session_key=browser.cookies[settings.SESSION_COOKIE_NAME]
    )
    store[LAST_SEEN_KEY] = store[LAST_SEEN_KEY] - seconds
    store[SIGNED_IN_KEY] = store[SIGNED_IN_KEY] - seconds
    store.save()


def signed_in_page(browser: requests.Session, url: str) -> bool:
    """True if `url` answers the page; False if it sends the browser to sign in."""
    answer = browser.get(url, allow_redirects=False, timeout=30)
    if answer.status_code == 302:
        assert answer.headers["Location"].startswith(LOGIN)
        return False
    assert answer.status_code == 200
    return True


def test_the_rendered_site_sends_to_every_web_node():
    site = render_site(
        SITE.read_text(), port=8080, upstreams=[8001, 8002], static_root=Path("/s"), evidence_root=Path("/e")
    )
    upstream = re.search(r"upstream moa_portal \{(.*?)\}", site, flags=re.S).group(1)
    assert re.findall(r"server (\S+);", upstream) == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert "ssl" not in site and "listen 127.0.0.1:8080;" in site


def test_a_session_started_on_one_node_works_on_the_other(nodes, pact):
    _, _, manager = pact
    browser = sign_in(nodes.a, manager)
    assert signed_in_page(browser, nodes.b + MY_WORK)
    assert signed_in_page(browser, nodes.a + MY_WORK)


def test_a_sign_in_form_from_one_node_is_accepted_by_the_other(nodes, pact):
    """The CSRF token in node A's form is good on node B (one SECRET_KEY, the token in the cookie)."""
    _, _, manager = pact
    browser = sign_in(nodes.a, manager, then=nodes.b)
    assert signed_in_page(browser, nodes.a + MY_WORK)


def test_progress_logged_on_one_node_shows_on_the_other_nodes_kept_dashboard(nodes, pact):
    agreement, item, manager = pact
    browser = sign_in(nodes.a, manager)
    dashboard = f"{nodes.b}{DASHBOARD}?agreement={agreement.slug}"
    recent = f">{item.code}</a> At risk as of"
    for _ in range(2):  # the second view on B is the kept one
        assert recent not in browser.get(dashboard, timeout=30).text
    kept = list(
        redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).scan_iter(
            f"*kept:dashboard:{data_cache.data_version()}:*"
        )
    )
    assert kept, "node B did not keep the dashboard in the shared cache"

    url = reverse("activities:update_create", kwargs={"slug": agreement.slug, "code": item.code})
    form = browser.get(nodes.a + url, timeout=30)
    posted = browser.post(
        nodes.a + url,
        data={
            "csrfmiddlewaretoken": csrf_token(form),
            "as_of": today().isoformat(),
            "status": "at_risk",
            "percent_complete": "40",
            "narrative": "Logged through node A.",
            "next_steps": "",
            "reporting_party": str(agreement.parties.get(acronym="ABC").pk),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302, posted.text[:2000]

    assert recent in browser.get(dashboard, timeout=30).text
    assert "Logged through node A." in browser.get(nodes.b + item.get_absolute_url(), timeout=30).text


def test_an_item_added_after_one_node_kept_the_agreement_page_shows_there_at_once(nodes, pact):
    agreement, item, manager = pact
    browser = sign_in(nodes.a, manager)
    page = nodes.b + agreement.get_absolute_url()
    for _ in range(2):  # the second view on B is served from the kept body
        assert "Chart the new corridor" not in browser.get(page, timeout=30).text
    kept = list(
        redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).scan_iter(
            f"*kept:agreement-body:{data_cache.data_version()}:*"
        )
    )
    assert kept, "node B did not keep the agreement page's body in the shared cache"
    # A save in another process (this one: a third node, as far as the cache is concerned).
    CommitmentFactory(
        agreement=agreement, kind=Commitment.Kind.OBJECTIVE, code="O-9", title="Chart the new corridor"
    )
    assert "Chart the new corridor" in browser.get(page, timeout=30).text
    assert "Chart the new corridor" in browser.get(nodes.a + agreement.get_absolute_url(), timeout=30).text


def test_a_csrf_token_from_one_nodes_form_is_accepted_by_the_other(nodes, pact):
    agreement, item, manager = pact
    browser = sign_in(nodes.a, manager)
    url = reverse("activities:update_create", kwargs={"slug": agreement.slug, "code": item.code})
    form = browser.get(nodes.a + url, timeout=30)
    posted = browser.post(
        nodes.b + url,
        data={
            "csrfmiddlewaretoken": csrf_token(form),
            "as_of": today().isoformat(),
            "status": "on_track",
            "percent_complete": "10",
            "narrative": "Form from A, posted to B.",
            "reporting_party": str(agreement.parties.get(acronym="ABC").pk),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302
    assert item.updates.filter(narrative="Form from A, posted to B.").exists()


def test_a_session_idle_past_the_limit_on_one_node_is_refused_on_the_other(nodes, pact):
    _, _, manager = pact
    browser = sign_in(nodes.a, manager)
    time_passes(browser, IDLE_MINUTES * 60 + 5)
    refused = browser.get(nodes.b + MY_WORK, timeout=30)
    assert refused.url.startswith(nodes.b + LOGIN)
    assert f"You were signed out after {IDLE_MINUTES} minutes without activity" in refused.text
    assert not signed_in_page(browser, nodes.a + MY_WORK)  # signed out for both nodes


def test_activity_on_one_node_keeps_the_session_alive_on_the_other(nodes, pact):
    _, _, manager = pact
    active, idle = sign_in(nodes.a, manager), sign_in(nodes.a, manager)
    for browser in (active, idle):
        time_passes(browser, IDLE_MINUTES * 60 - 30)
    assert signed_in_page(active, nodes.a + MY_WORK)  # activity on A moves the clock
    for browser in (active, idle):
        time_passes(browser, 60)
    # Idle 60 s since the request on A, against 150 s for the session with no activity.
    assert signed_in_page(active, nodes.b + MY_WORK)
    assert not signed_in_page(idle, nodes.b + MY_WORK)


def test_nginx_spreads_one_session_over_both_nodes(nodes, pact):
    _, _, manager = pact
    browser = sign_in(nodes.nginx, manager)
    for _ in range(6):
        assert signed_in_page(browser, nodes.nginx + MY_WORK)
    for log in nodes.logs:
        assert f"GET {MY_WORK} " in log.read_text()
