"""Two production app servers at once (gunicorn, one port each) on the same
PostgreSQL and Redis, as behind a load balancer: a login on one is valid on the
other (and a log-out on one ends it on both, sessions being cached in Redis), what one
creates the other shows at once, and ten identical submits spread over both create one
record.

Meaningful only on a shared database and cache, so it runs in `make test-production`
(CI) and is skipped on the default SQLite and local-memory run."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection

from seventime.sandbox import store
from tests.create.test_forms import fill, form_values
from tests.test_hardening import ROOT

pytestmark = pytest.mark.skipif(
    not (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and "redis" in settings.CACHES["default"]["BACKEND"].lower()
    ),
    reason="needs PostgreSQL and Redis: make test-production",
)

PASSWORD = "två-servrar-lösen"


class Server:
    """gunicorn on a socket bound before it starts: requests wait in the socket's
    queue until a worker takes them, so nothing polls or sleeps for it to come up."""

    def __init__(self, env: dict[str, str]):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        fd = self.socket.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "dashboard.wsgi:application", "--bind", f"fd://{fd}",
             "--workers", "1", "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
            cwd=ROOT, env=env, pass_fds=(fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def stop(self) -> str:
        self.process.terminate()
        try:
            _out, errors = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, errors = self.process.communicate()
        self.socket.close()
        return errors.decode(errors="replace")


def _queue_url() -> str:
    """The task queue on the run's Redis, in a database of its own (the cache's are 0-8)."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(os.environ["CACHE_URL"])._replace(path="/14"))


def _database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django made
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def servers(transactional_db, sandbox_data, django_user_model):
    user = django_user_model.objects.create_user("tvaservrar", password=PASSWORD)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_sync", "view_customers", "add_customers", "view_users", "add_users", "add_workorders", "view_workorders"]
    ))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _database_url(),
           "CACHE_URL": os.environ["CACHE_URL"], "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": settings.SECRET_KEY, "PYTHONPATH": str(ROOT), "TASK_QUEUE_URL": _queue_url()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    started = [Server(env), Server(env)]
    yield started
    logs = [server.stop() for server in started]
    assert not any("Traceback" in log for log in logs), logs


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only
    return session


def _log_in(session: requests.Session, url: str) -> None:
    page = session.get(f"{url}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{url}/login/", timeout=60, headers={"Referer": f"{url}/login/"},
                          data={"csrfmiddlewaretoken": token, "username": "tvaservrar", "password": PASSWORD})
    assert answer.status_code == 200 and "/login/" not in answer.url, answer.url


def _create(session: requests.Session, url: str, entity: str, **typed) -> requests.Response:
    page = session.get(f"{url}/{entity}/new/", timeout=60).text
    values = form_values(page)
    if entity == "users":  # the first role the form offers
        roles = re.search(r'<select name="user_role".*?</select>', page, re.S).group(0)
        typed["user_role"] = re.findall(r'<option value="([^"]+)"', roles)[0]
    return session.post(f"{url}/{entity}/new/", data=fill(values, **typed), timeout=60,
                        headers={"Referer": f"{url}/{entity}/new/"})


def test_a_login_on_one_server_is_valid_on_the_other(servers):
    one, other = servers
    session = _session()
    _log_in(session, one.url)
    page = session.get(f"{other.url}/customers/", timeout=60)
    assert page.status_code == 200 and "/login/" not in page.url
    assert 'id="results"' in page.text


def test_a_stolen_session_cookie_stops_working_on_both_servers_after_log_out(servers):
    one, other = servers
    session = _session()
    _log_in(session, one.url)
    stolen = session.cookies.get("sessionid")
    for url in (one.url, other.url):  # read (and cached) by both
        assert "/login/" not in session.get(f"{url}/customers/", timeout=60).url
    page = session.get(f"{other.url}/customers/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    session.post(f"{other.url}/logout/", data={"csrfmiddlewaretoken": token}, timeout=60,
                 headers={"Referer": f"{other.url}/customers/"})
    for url in (one.url, other.url):
        thief = _session()
        thief.cookies.set("sessionid", stolen)
        assert "/login/" in thief.get(f"{url}/customers/", timeout=60).url


def test_what_one_server_creates_the_other_shows_at_once(servers):
    one, other = servers
    session = _session()
    _log_in(session, one.url)
    created = _create(session, one.url, "customers", name="Tvåserver Bygg AB")
    assert created.status_code == 200 and "was created" in created.text
    listed = session.get(f"{other.url}/customers/", params={"name": "Tvåserver"}, timeout=60)
    assert "Tvåserver Bygg AB" in listed.text
    # The work order form's user list is cached (in Redis): creating a user through one
    # server drops it for both, so the other offers the new user at once.
    assert "Tvåserverson" not in session.get(f"{other.url}/workorders/new/", timeout=60).text
    user = _create(session, one.url, "users", first_name="Tea", last_name="Tvåserverson", email="tea@example.se",
                   user_name="tea.tvaserver")
    assert user.status_code == 200 and "was created" in user.text, re.findall(r'<li>(.*?)</li>', user.text)
    assert "Tvåserverson" in session.get(f"{other.url}/workorders/new/", timeout=60).text


def test_ten_identical_submits_over_both_servers_create_one_record(servers):
    one, other = servers
    session = _session()
    _log_in(session, one.url)
    values = fill(form_values(session.get(f"{one.url}/customers/new/", timeout=60).text), name="Tiofaldig Klick AB")
    barrier = threading.Barrier(10, timeout=60)

    def click(n: int) -> requests.Response:
        clicker = _session()
        clicker.cookies.update(session.cookies)
        url = (one, other)[n % 2].url
        barrier.wait()
        return clicker.post(f"{url}/customers/new/", data=values, timeout=120,
                            headers={"Referer": f"{url}/customers/new/"})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(click, range(10)))

    [customer] = [doc for doc in store.all("customers") if doc.get("name") == "Tiofaldig Klick AB"]
    assert [answer.status_code for answer in answers] == [200] * 10
    assert all(answer.url.endswith(f"/customers/{customer['_id']}/") for answer in answers)


def test_sync_now_on_one_server_goes_through_the_redis_queue_to_a_worker_anywhere(servers, monkeypatch):
    """The queue is Redis (TASK_QUEUE_URL=redis://): "Sync now" on one server enqueues
    there, the other server's Sync page sees the run waiting, and a worker in another
    process (this test, as `run_huey` on a third machine would) takes it and runs it."""
    from huey import RedisHuey
    from huey.contrib.djhuey import HUEY

    import dashboard.sync.tasks  # noqa: F401  (registers the tasks a worker runs)

    from dashboard.models import SyncRun

    queue = RedisHuey("seventime-dashboard", url=_queue_url())
    queue.flush()
    one, other = servers
    session = _session()
    _log_in(session, one.url)
    page = session.get(f"{one.url}/sync/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    asked = session.post(f"{one.url}/sync/now/", data={"csrfmiddlewaretoken": token}, timeout=60,
                         headers={"Referer": f"{one.url}/sync/"})
    assert asked.status_code == 200 and "handed to the worker" in asked.text
    assert queue.pending_count() == 1
    assert "waiting for the worker" in session.get(f"{other.url}/sync/", timeout=60).text

    # A worker elsewhere: this process's tasks, on the servers' Redis queue.
    monkeypatch.setattr(HUEY, "storage", queue.storage)
    task = HUEY.dequeue()
    assert task.name.endswith("sync")
    HUEY.execute(task)
    run = SyncRun.objects.get()
    assert run.finished_at is not None and run.error == ""
    assert queue.pending_count() == 0
    after = session.get(f"{other.url}/sync/", timeout=60).text
    assert "waiting for the worker" not in after
    queue.flush()
