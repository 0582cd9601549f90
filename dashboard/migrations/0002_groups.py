"""The two groups of dashboard users and what each may do."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICE_STAFF = [
    "view_customers",
    "add_customers",
    "view_projects",
    "add_projects",
    "view_workorders",
    "add_workorders",
    "view_invoices",
    "add_invoices",
]
MANAGERS = OFFICE_STAFF + ["view_users", "add_users", "view_invoice_overview", "view_audit_log"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they
    # exist now so that the groups can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Office staff", OFFICE_STAFF), ("Managers", MANAGERS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Office staff", "Managers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
