"""URLs of the command palette and the saved views. Included from dashboard/urls.py
before browse/ (whose detail pages take any word)."""

from django.urls import path

from . import views

urlpatterns = [
    path("palette/", views.palette_results, name="palette"),
    path("views/", views.saved_views, name="saved_views"),
    path("views/save/", views.save_view, name="save_view"),
    path("views/<int:pk>/rename/", views.rename_view, name="rename_view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete_view"),
]
