"""URLs of the invoice overview. Included from dashboard/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("overview/invoices/", views.overview_invoices, name="overview_invoices"),
    path("overview/sync/", views.overview_sync, name="overview_sync"),
    path("overview/payments/", views.payments_page, name="overview_payments"),
    path("overview/payments/expected/", views.expected_payment, name="overview_expected_payment"),
]
