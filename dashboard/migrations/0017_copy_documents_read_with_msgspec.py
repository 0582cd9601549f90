# The copy's documents are read with msgspec (dashboard/documents.py). The column is
# the same JSON column as before: only the model's state changes, so the table is not
# rebuilt (SQLite would copy it whole for an AlterField).

import django.core.serializers.json
from django.db import migrations

import dashboard.documents


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0016_access_all_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="syncedrecord",
                    name="data",
                    field=dashboard.documents.DocumentField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
            ],
        ),
    ]
