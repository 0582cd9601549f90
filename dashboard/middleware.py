"""The one place where API errors become pages (or inline messages for htmx); their
words come from api_errors.py."""

import logging

from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from seventime import SevenTimeError

from .api_errors import page_context

logger = logging.getLogger("dashboard")


class SevenTimeErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SevenTimeError):
            return None
        context = page_context(exception, not_found_message=getattr(request, "not_found_message", ""))
        logger.warning("Seven Time error on %s: %s (%s)", request.path, type(exception).__name__, exception.message)
        if request.htmx and not request.htmx.history_restore_request:
            response = render(request, "errors/inline.html", context, status=context["status"])
        else:
            response = render(request, "errors/api.html", context, status=context["status"])
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
