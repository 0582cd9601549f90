"""URLs of the create forms (issue: create records). Included from dashboard/urls.py."""

from django.urls import path

from ..entities import CREATE_FORMS
from . import audit_views, views

urlpatterns: list = [
    path("pick/<str:kind>/", views.pick, name="pick"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("settings/", views.my_settings, name="my_settings"),
]
for entity, form_class in CREATE_FORMS.items():
    urlpatterns += [
        path(f"{entity}/new/", views.create_view, {"entity": entity}, name=f"{entity}_create"),
        path(f"{entity}/new/validate/", views.validate_field, {"entity": entity}, name=f"{entity}_validate"),
    ]
    if "contact_person" in form_class.base_fields:
        # Only a form with a contact person has one to reload: elsewhere the address is simply not found.
        urlpatterns.append(
            path(f"{entity}/new/contacts/", views.contact_persons, {"entity": entity}, name=f"{entity}_contacts")
        )
