"""A URL whose view fails, for the logging test (tests/test_hardening.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path


@login_not_required
def boom(request):
    raise RuntimeError("the failure a test provokes")


urlpatterns = [path("boom/", boom)]
