"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE): the same login
page, our own or the Django admin's, with a message saying when to try again."""

import ipaddress
import math
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def client_address(request) -> str | None:
    """The address a login comes from (AXES_CLIENT_IP_CALLABLE): the connection's own,
    or, behind TRUSTED_PROXY_COUNT reverse proxies, the one the outermost of them saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with N
    proxies the Nth entry from the right is the client's as our outermost proxy saw it;
    entries further left came from the client and can be forged. With no proxy counted
    (the default) the header is ignored, so no one can choose their own address; an entry
    that is not an address falls back to the connection's."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def lockout_ends(request, credentials) -> datetime:
    """When no lockout parameter (username, address) has the failure limit within the
    cool-off any more: each failure counts until cool-off after it, so per parameter
    the lock lifts cool-off after the most recent failure that still reaches the limit."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    ends = timezone.now()
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        counted = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            counted += failures
            if counted >= limit:
                ends = max(ends, attempt_time + cool_off)
                break
    return ends


def lockout_message(request, credentials) -> str:
    ends = lockout_ends(request, credentials)
    minutes = max(1, math.ceil((ends - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many failed logins for this username or from this address. "
        "You can try again at %(time)s (in %(minutes)d minute).",
        "Too many failed logins for this username or from this address. "
        "You can try again at %(time)s (in %(minutes)d minutes).",
        minutes,
    ) % {"time": time_format(timezone.localtime(ends), "H:i"), "minutes": minutes}


def locked_out(request, original_response=None, credentials=None):
    """The login page again, with the lockout message and the username kept (429)."""
    username = get_client_username(request, credentials) or ""
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if request.path == reverse("admin:login"):
        form_class = AdminAuthenticationForm
        template = "admin/login.html"
        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": "",
            "next": next_url,
        }
    else:
        form_class = AuthenticationForm
        template = "registration/login.html"
        context = {"next": next_url}
    message = lockout_message(request, credentials)

    class LockedOutForm(form_class):
        def clean(self):
            raise ValidationError(message, code="locked_out")

    # Bound, so that the page shows the message where it shows a wrong password; the
    # password is never written back (PasswordInput), the placeholder only fills the field.
    form = LockedOutForm(request, data={"username": username, "password": "locked-out"})
    return render(request, template, {**context, "form": form}, status=429)
