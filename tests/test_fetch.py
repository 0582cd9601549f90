"""Fetching for a page (dashboard/fetch.py): lookup lists cached and fetched in the
same round as the page's own calls, and the page rendering while its calls are on
their way (fetch_while)."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from django.test.signals import template_rendered
from responses import matchers

from dashboard import fetch as fetch_module
from dashboard.fetch import MAX_CONCURRENT_CALLS, fetch, fetch_while
from dashboard.entities import RESOURCES
from tests.conftest import API, SECRET
from tests.browse.pages import (
    DEFAULT_SORT,
    DETAIL_LOOKUPS,
    LOOKUP_DOCS,
    PAGE_LOOKUPS,
    called_paths,
    customer_doc,
    get,
    project_doc,
    stub,
    stub_list,
    stub_lookups,
    table,
    work_order_doc,
)

pytestmark = pytest.mark.django_db


# =====================================================================
# Lookup lists: cached, fetched in the same round as the page
# =====================================================================


def test_second_list_view_makes_no_lookup_calls(office_client, api):
    stub_list(api, "projects", [project_doc()])
    assert get(office_client, "/projects/")[0].status_code == 200
    assert sorted(called_paths(api)) == sorted(["projects", *PAGE_LOOKUPS["projects"]])
    before = len(api.calls)
    response, page = get(office_client, "/projects/")
    assert response.status_code == 200
    assert called_paths(api)[before:] == ["projects"]
    assert table(page)[0][3] == "Pågående"  # names still resolved from the cache


def test_lookups_cached_by_one_page_serve_another(office_client, api):
    stub_list(api, "projects", [project_doc()])  # loads priceLists among others
    stub_list(api, "customers", [customer_doc()])
    get(office_client, "/projects/")
    before = len(api.calls)
    response, page = get(office_client, "/customers/")
    assert response.status_code == 200
    assert called_paths(api)[before:] == ["customers"]


def test_second_detail_view_only_fetches_the_record_and_its_related_list(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(api, "projects/proj-1", project_doc())
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    get(office_client, "/projects/proj-1/")
    before = len(api.calls)
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert sorted(called_paths(api)[before:]) == ["projects/proj-1", "workOrders"]
    assert "Pågående" in page


def test_lookup_cache_is_not_shared_between_accounts_on_the_same_api_url(office_client, api, settings):
    account_b = "account-b-secret"
    for secret, name in ((SECRET, "Konto A status"), (account_b, "Konto B status")):
        api.get(
            API + "projectStatuses",
            json=[{"_id": "pstatus-active", "statusName": name}],
            match=[matchers.query_param_matcher({}), matchers.header_matcher({"Client-Secret": secret})],
        )
    stub_lookups(api, PAGE_LOOKUPS["projects"] - {"projectStatuses"})
    stub(api, "projects", [project_doc()], DEFAULT_SORT["projects"])
    response, page = get(office_client, "/projects/")
    assert table(page)[0][3] == "Konto A status"
    settings.SEVENTIME_CLIENT_SECRET = account_b
    response, page = get(office_client, "/projects/")
    assert response.status_code == 200
    assert table(page)[0][3] == "Konto B status"
    assert "Konto A status" not in page


def test_lookups_and_the_pages_own_calls_run_in_one_concurrent_round(office_client, api):
    """Each answer waits until every request of the page has arrived: only a page
    that sends them all at once gets its answers (sequential calls would time out)."""
    expected = 2 + len(DETAIL_LOOKUPS["projects"])  # the project, its work orders, the lookups
    assert expected <= MAX_CONCURRENT_CALLS
    everyone_asked = threading.Barrier(expected, timeout=5)

    def answer(body):
        def callback(request):
            everyone_asked.wait()
            return 200, {"Content-Type": "application/json"}, json.dumps(body)

        return callback

    for path, docs in LOOKUP_DOCS.items():
        api.add_callback("GET", API + path, callback=answer(docs))
    api.add_callback("GET", API + "projects/proj-1", callback=answer(project_doc()))
    api.add_callback("GET", API + "workOrders", callback=answer([work_order_doc()]))
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert len(api.calls) == expected
    assert "Pågående" in page and 'href="/workorders/wo-1/"' in page


def warm_lookups(api, kind):
    stub_lookups(api, PAGE_LOOKUPS[kind])
    fetch({}, RESOURCES[kind].lookups)


@contextlib.contextmanager
def answered_once_rendering(api, template_name: str, answers: dict[str, list]):
    """Answer GET <API><path> with its documents only once `template_name` has started
    rendering: a view that waits for the API before rendering gets no answer in time."""
    page_rendering = threading.Event()

    def on_render(sender, template, **kwargs):
        if template.name == template_name:
            page_rendering.set()

    def answer(docs):
        def callback(request):
            if not page_rendering.wait(3):
                return 504, {}, "{}"
            return 200, {"Content-Type": "application/json"}, json.dumps(docs)

        return callback

    for path, docs in answers.items():
        api.add_callback("GET", API + path, callback=answer(docs))
    template_rendered.connect(on_render)
    try:
        yield
    finally:
        template_rendered.disconnect(on_render)


def test_list_page_renders_around_its_results_while_the_api_call_is_on_its_way(office_client, api):
    """With its lookup lists cached, a list page renders its header, navigation and
    filter form while it waits for Seven Time."""
    warm_lookups(api, "customers")
    with answered_once_rendering(api, "list.html", {"customers": [customer_doc()]}):
        response, page = get(office_client, "/customers/?city=Lund")
    assert response.status_code == 200
    assert table(page)[0][1] == "Bergström Bygg AB"
    assert page.count('id="results"') == 1 and "<!-- results -->" not in page
    assert page.index('id="filters"') < page.index("<tbody>") < page.index("</html>")


def test_search_page_renders_around_its_results_while_the_calls_are_on_their_way(office_client, api):
    answers = {"customers": [customer_doc()], "projects": [], "workOrders": []}
    with answered_once_rendering(api, "home.html", answers):
        response, page = get(office_client, "/?q=Berg")
    assert response.status_code == 200
    assert 'href="/customers/cust-1/"' in page and "<!-- results -->" not in page
    assert page.index('id="search"') < page.index('href="/customers/cust-1/"') < page.index("</html>")


def test_an_api_error_while_the_page_renders_around_it_gives_the_error_page(office_client, api):
    warm_lookups(api, "customers")
    stub(api, "customers", status=503, json={}, params=DEFAULT_SORT["customers"])
    response, page = get(office_client, "/customers/")
    assert response.status_code == 502  # the friendly error page, not the page rendered meanwhile
    assert "api-error" in page and "<!-- results -->" not in page and 'id="filters"' not in page


@pytest.fixture
def remote(settings):
    """A Seven Time on the network (stubbed: these calls never reach it)."""
    settings.SEVENTIME_API_URL = API


def test_fetch_while_waits_for_its_calls_when_the_work_meanwhile_fails(remote):
    finished, render_failed = [], threading.Event()

    def slow_call():  # still on its way when the render fails
        assert render_failed.wait(5)
        finished.append("call")
        return "answer"

    def failing_render(lookups):
        render_failed.set()
        raise RuntimeError("template broke")

    with pytest.raises(RuntimeError, match="template broke"):
        fetch_while({"page": slow_call}, (), failing_render)
    assert finished == ["call"]  # nothing left running behind the page


def test_fetch_while_raises_the_calls_error_after_the_work_meanwhile(remote):
    done = []

    def failing_call():
        raise ConnectionError("down")

    with pytest.raises(ConnectionError, match="down"):
        fetch_while({"page": failing_call}, (), lambda lookups: done.append("rendered"))
    assert done == ["rendered"]


def test_fetch_while_does_not_queue_behind_bulk_work_in_the_shared_pool(remote):
    # A sync's rounds fill the shared pool; a page's call must not wait behind them.
    release = threading.Event()
    blockers = [fetch_module._executor.submit(release.wait, 5) for _ in range(MAX_CONCURRENT_CALLS)]

    def page_call():
        pool_still_full = not any(blocker.done() for blocker in blockers)
        release.set()
        return pool_still_full

    try:
        results, _lookups, rendered = fetch_while({"page": page_call}, (), lambda lookups: "page")
        assert (results, rendered) == ({"page": True}, "page")  # it ran while the bulk work still held the pool
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


def test_fetch_while_with_the_built_in_sandbox_fetches_first(settings):
    # In-process there is no network to wait for: the call, then the page.
    settings.SEVENTIME_API_URL = ""
    order = []
    fetch_while({"page": lambda: order.append("call")}, (), lambda lookups: order.append("page"))
    assert order == ["call", "page"]
