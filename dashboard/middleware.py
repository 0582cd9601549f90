"""The one place where API errors become pages (or inline messages for htmx)."""

import logging

from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from seventime import (
    AuthenticationError,
    BadResponse,
    NotConfigured,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    Unavailable,
)

logger = logging.getLogger("dashboard")


def describe(error: SevenTimeError) -> tuple[int, str, str, bool]:
    """(status, title, explanation, worth retrying) for an API error."""
    if isinstance(error, NotFound):
        return 404, _("Not found"), _("Seven Time has no such record. It may have been removed."), False
    if isinstance(error, NotConfigured):
        return (
            503,
            _("The dashboard is not connected to Seven Time"),
            _(
                "No Seven Time address is configured. Administrator: set SEVENTIME_API_URL and "
                "SEVENTIME_CLIENT_SECRET (see the README), or SANDBOX_ENABLED=true for a trial on demo data."
            ),
            False,
        )
    if isinstance(error, AuthenticationError):
        return (
            503,
            _("Seven Time refused our credentials"),
            _(
                "The dashboard could not sign in to Seven Time. Administrator: check SEVENTIME_CLIENT_SECRET "
                "(the API key from Settings → Integrations → API in Seven Time) and SEVENTIME_API_URL."
            ),
            False,
        )
    if isinstance(error, RateLimited):
        wait = _(" Wait %(seconds)d seconds.") % {"seconds": error.retry_after} if error.retry_after else ""
        return 503, _("Seven Time is busy"), _("Seven Time is receiving too many requests.") + wait, True
    if isinstance(error, Timeout):
        return 504, _("Seven Time is not answering"), _("Seven Time did not answer in time. Try again."), True
    if isinstance(error, Unavailable):
        return 503, _("Seven Time is not answering"), _("The dashboard could not reach Seven Time. Try again."), True
    if isinstance(error, BadResponse):
        return 502, _("Seven Time sent an unexpected answer"), _("The answer could not be read. Try again later."), True
    if isinstance(error, ServerError):
        return 502, _("Seven Time had a problem"), _("Seven Time reported an internal error. Try again."), True
    return 502, _("Seven Time had a problem"), _("Something went wrong talking to Seven Time. Try again."), True


class SevenTimeErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SevenTimeError):
            return None
        status, title, explanation, retry = describe(exception)
        if isinstance(exception, NotFound) and getattr(request, "not_found_message", None):
            explanation = request.not_found_message
        logger.warning("Seven Time error on %s: %s (%s)", request.path, type(exception).__name__, exception.message)
        context = {"title": title, "explanation": explanation, "retry": retry, "status": status}
        if request.htmx and not request.htmx.history_restore_request:
            response = render(request, "errors/inline.html", context, status=status)
        else:
            response = render(request, "errors/api.html", context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response


#: Everything the pages load comes from this site: no inline scripts or styles,
#: no CDN. The Django admin is left alone (it is not ours to rewrite).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class PrivateAnswersMiddleware:
    """Whatever a signed-in person gets (pages, htmx partials, downloads, error pages)
    shows data meant for them alone: no shared cache may keep it, and the browser
    may not write it to disk. Static files never get here (WhiteNoise answers them
    earlier with their own long caching)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
