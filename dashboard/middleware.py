"""The one place where API errors become pages (or inline messages for htmx); their
words come from api_errors.py."""

import logging
from urllib.parse import urlsplit

from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

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


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except for an htmx request from a page whose session has ended (logged
    out in another tab, expired): htmx would swap the login page into a part of the
    page (a list's rows, a detail page's check line). It sends the whole page to the
    login form instead (`HX-Redirect`), and back to the page the person was on after."""

    def handle_no_permission(self, request, view_func):
        htmx = request.headers.get("HX-Request") == "true"
        # htmx restoring a page from history swaps the answer into the body whatever its
        # headers say: Django's redirect, which the browser follows, shows the login form.
        if not htmx or request.headers.get("HX-History-Restore-Request") == "true":
            return super().handle_no_permission(request, view_func)
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        same_site = url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()})
        back_to = (parts.path + (f"?{parts.query}" if parts.query else "")) if same_site and parts.path else "/"
        if not url_has_allowed_host_and_scheme(back_to, allowed_hosts={request.get_host()}):
            back_to = "/"  # "//elsewhere/" as a path (the login view would refuse it too)
        login = redirect_to_login(
            back_to, resolve_url(self.get_login_url(view_func)), self.get_redirect_field_name(view_func)
        )
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login["Location"]
        patch_vary_headers(response, ["HX-Request"])
        return response
