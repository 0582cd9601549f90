"""The record kinds the dashboard shows and creates, one module each.

Each module (customers.py, projects.py, workorders.py, users.py, invoices.py)
declares its kind whole: the `Resource` with its API calls, filters and columns
(list cell, sort and download column together), its create form and the picker
other forms choose one with. base.py holds what they are declared with, cells.py
the kinds of list cell, dashboard/forms.py the form framework.

The registries below are what the views, URLs and search read.
"""

from __future__ import annotations

from ..forms import CreateForm, PickerSource
from .base import Resource
from .contacts import ContactPersons
from .customers import Customers
from .departments import Departments
from .invoices import Invoices
from .projects import Projects
from .users import Users
from .workorders import WorkOrders

#: Every kind by its name (URL prefix, template folder), in the order pages list them.
RESOURCES: dict[str, Resource] = {r.name: r for r in (Customers(), Projects(), WorkOrders(), Users(), Invoices())}

#: Kinds with a page each but no list of their own (other pages link to them).
DETAIL_ONLY: dict[str, Resource] = {r.name: r for r in (ContactPersons(), Departments())}

#: The create form of each kind that has one, by the kind's name.
CREATE_FORMS: dict[str, type[CreateForm]] = {
    name: resource.create_form for name, resource in RESOURCES.items() if resource.create_form
}

#: The live-search pickers (`pick` URL), by the kind they find.
PICKERS: dict[str, PickerSource] = {name: resource.picker for name, resource in RESOURCES.items() if resource.picker}
