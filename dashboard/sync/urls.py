"""URLs of the Sync page. Included from dashboard/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("sync/", views.sync_page, name="sync"),
    path("sync/now/", views.sync_now, name="sync_now"),
]
