"""URLs of the invoice overview and the exports. Included from dashboard/urls.py."""

urlpatterns: list = []
