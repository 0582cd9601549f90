"""The Sync page's permission, given to the Managers group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def give_managers(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="dashboard", codename="view_sync")
    for group in Group.objects.filter(name="Managers"):
        group.permissions.add(permission)


def take_back(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="dashboard", codename="view_sync"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0006_sync_engine")]

    operations = [
        migrations.AlterModelOptions(
            name="access",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("view_customers", "Can browse customers"),
                    ("add_customers", "Can create customers"),
                    ("view_projects", "Can browse projects"),
                    ("add_projects", "Can create projects"),
                    ("view_workorders", "Can browse work orders"),
                    ("add_workorders", "Can create work orders"),
                    ("view_invoices", "Can browse invoices"),
                    ("add_invoices", "Can create invoices"),
                    ("view_users", "Can browse users"),
                    ("add_users", "Can create users"),
                    ("view_invoice_overview", "Can see the invoice overview"),
                    ("view_audit_log", "Can browse the create log"),
                    ("view_sync", "Can see the local copy's sync and start one"),
                ],
            },
        ),
        migrations.RunPython(give_managers, take_back),
    ]
