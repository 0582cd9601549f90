"""Departments: a page each, with the department's users (no list of their own: the
users list filters by department). Read from the local copy like the other detail
pages, from Seven Time while not yet copied. Whoever may browse users may open them."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from ..api import get_client
from ..sync import read
from .base import FilterForm, Resource, whole_page


class Departments(Resource):
    name = "departments"
    verbose_name = _("department")
    verbose_name_plural = _("departments")
    # Users belong to them: the users' permission (models.Access).
    permission = "dashboard.view_users"
    list_method = "list_departments"
    get_method = "get_department"
    filter_form = FilterForm
    all_columns = ()
    default_sort = ("name", "ascending")
    copy_entity = "departments"
    parent_list = "users"
    detail_lookups = ("users",)  # the managers, by name

    def detail_from_copy(self, record_id):
        found = super().detail_from_copy(record_id)
        users = read.related("users", "department", record_id, order="name_key")
        return None if found is None or users is None else found | {"members": whole_page(users)}

    def detail_calls(self, record_id):
        client = get_client()
        return {
            "record": partial(client.get_department, record_id),
            "members": partial(client.list_users, department=record_id, sort_by="lastName", sort_direction="ascending"),
        }
