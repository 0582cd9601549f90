"""URLs of the receivables pages. Included from dashboard/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("receivables/chase/", views.chase, name="chase_list"),
    path("receivables/chase/note/", views.chase_note, name="chase_note"),
    path("receivables/chase/pause/", views.chase_pause, name="chase_pause"),
    path("receivables/aged/", views.aged, name="aged_receivables"),
    path("receivables/statement/<str:customer_id>/", views.statement, name="customer_statement"),
    path("receivables/rot-rut/", views.house, name="house_checks"),
    path("receivables/rot-rut/claim/", views.house_claim, name="house_claim"),
]
