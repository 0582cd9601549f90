from django.db import models
from django.utils.translation import gettext_lazy as _


class Access(models.Model):
    """Holds the dashboard's permissions. The records live in Seven Time, not in
    our database, so there is no model per entity to hang permissions on."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_customers", _("Can browse customers")),
            ("add_customers", _("Can create customers")),
            ("view_projects", _("Can browse projects")),
            ("add_projects", _("Can create projects")),
            ("view_workorders", _("Can browse work orders")),
            ("add_workorders", _("Can create work orders")),
            ("view_invoices", _("Can browse invoices")),
            ("add_invoices", _("Can create invoices")),
            ("view_users", _("Can browse users")),
            ("add_users", _("Can create users")),
            ("view_invoice_overview", _("Can see the invoice overview")),
            ("view_audit_log", _("Can browse the create log")),
        ]
