"""The copy's document moves to the end of its row (docs/performance.md, "Pages read
from the copy"): SQLite stores a row's columns in order, and a document of several kB
runs into overflow pages; a filter reading a column after it followed the overflow
chain of every row it looked at (the invoice list's state filter: 600 rows, ~15 ms).
Copied over in SQL, so no document is decoded; on PostgreSQL the order matters little
(large values are stored apart) and the copy is rewritten once."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0010_speed_copy_state_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncedrecord",
            name="document",
            field=models.JSONField(encoder=DjangoJSONEncoder, null=True),
        ),
        migrations.RunSQL(
            'UPDATE "dashboard_syncedrecord" SET "document" = "data"',
            'UPDATE "dashboard_syncedrecord" SET "data" = "document"',
        ),
        migrations.RemoveField(model_name="syncedrecord", name="data"),
        migrations.RenameField(model_name="syncedrecord", old_name="document", new_name="data"),
        migrations.AlterField(
            model_name="syncedrecord",
            name="data",
            field=models.JSONField(encoder=DjangoJSONEncoder),
        ),
    ]
