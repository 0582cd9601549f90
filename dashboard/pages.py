"""What every page of every capability (browse, create, overview) is made with:
the permission check and a list page rendered whole or, for htmx, only its results.
Here, not in a capability's views, so that no module imports another's view."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django_htmx.http import push_url

# Where a page rendered before its API answer arrived gets its results (a template
# comment cannot come from the data: text from the API or the user is escaped).
RESULTS_SLOT = mark_safe("<!-- results -->")


def require(request, permission: str) -> None:
    """Checked on the server for every page and partial, not only by hiding links."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _partial_request(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_around_results(request, template: str, context: dict) -> str:
    """The whole page with RESULTS_SLOT where its results go, rendered before they
    arrive; render_list(..., around=) puts them in."""
    return render_to_string(template, context | {"results_slot": RESULTS_SLOT}, request)


def render_list(request, template: str, context: dict, *, around: str | None = None):
    """The whole page, or for htmx only its `results` partial. The URL pushed into
    the history leaves out empty filters, so it stays short and readable.

    `around` is the page already rendered with RESULTS_SLOT where its results go."""
    if around is not None and not _partial_request(request):
        results = render_to_string(f"{template}#results", context, request)
        response = HttpResponse(around.replace(RESULTS_SLOT, results, 1))
    elif not _partial_request(request):
        response = render(request, template, context)
    else:
        response = render(request, f"{template}#results", context)
        kept = [(name, value) for name, value in request.GET.items() if value and name != "export"]
        push_url(response, f"{request.path}?{urlencode(kept)}" if kept else request.path)
    patch_vary_headers(response, ["HX-Request"])
    return response
