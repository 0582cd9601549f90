"""Making the local copy in the workbench's tests (view and browser tests)."""

from django.utils import timezone

from dashboard.api import account_key
from dashboard.models import CopyStatus
from dashboard.sync import copy
from seventime.sandbox import store

#: The copy's entities the workbench reads, and the sandbox's collections that hold them.
COLLECTIONS = {
    "customers": "customers",
    "users": "users",
    "projects": "projects",
    "work_orders": "workOrders",
    "invoices": "invoices",
}


def make_copy() -> None:
    """A complete copy of the sandbox's records, as a full sweep would leave it, made
    straight from its tables (a real sweep takes seconds; tests/sync tests it)."""
    account, moment = account_key(), timezone.now()
    for entity, collection in COLLECTIONS.items():
        copy.status(account, entity)
        copy.put(account, entity, store.all(collection), moment)
        CopyStatus.objects.filter(account=account, entity=entity).update(
            complete=True, last_full_at=moment, last_complete_at=moment
        )
