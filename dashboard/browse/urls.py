"""URLs of the start page (search) and of every resource's list and detail pages.
Included from dashboard/urls.py, after the create forms: `customers/new/` must not be
taken for the customer with the id "new"."""

from django.urls import path

from ..entities import DETAIL_ONLY, RESOURCES
from . import views

urlpatterns = [path("", views.home, name="home")]
for name, resource in RESOURCES.items():
    urlpatterns += [
        path(f"{name}/", views.list_view, {"resource": resource}, name=f"{name}_list"),
        path(f"{name}/<str:pk>/", views.detail_view, {"resource": resource}, name=f"{name}_detail"),
    ]
for name, resource in DETAIL_ONLY.items():
    urlpatterns.append(path(f"{name}/<str:pk>/", views.detail_view, {"resource": resource}, name=f"{name}_detail"))
