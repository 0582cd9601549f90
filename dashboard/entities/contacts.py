"""Contact persons: a page each (no list of their own: a customer's page lists its
contact persons). Read from the local copy like the other detail pages, from Seven
Time while not yet copied. Whoever may browse customers may open them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import FilterForm, Resource


class ContactPersons(Resource):
    name = "contactpersons"
    verbose_name = _("contact person")
    verbose_name_plural = _("contact persons")
    # Part of a customer: the customers' permission (models.Access).
    permission = "dashboard.view_customers"
    list_method = "list_contact_persons"
    get_method = "get_contact_person"
    filter_form = FilterForm
    all_columns = ()
    default_sort = ("name", "ascending")
    copy_entity = "contact_persons"
    #: Where the breadcrumb leads instead of a list of its own.
    parent_list = "customers"
