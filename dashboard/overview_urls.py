"""URLs of the invoice overview. Included from dashboard/urls.py."""

from django.urls import path

from . import overview_views

urlpatterns = [
    path("overview/", overview_views.overview, name="overview"),
    path("overview/invoices/", overview_views.overview_invoices, name="overview_invoices"),
    path("overview/sync/", overview_views.overview_sync, name="overview_sync"),
]
