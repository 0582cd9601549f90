"""URLs of the create forms (issue: create records). Included from dashboard/urls.py."""

urlpatterns: list = []
