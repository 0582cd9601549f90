from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

#: (username, password, group or None for a superuser). Demo only: created
#: solely when the dashboard runs on the built-in sandbox, and that only when the
#: sandbox is asked for (SANDBOX_ENABLED, or DEBUG on as under `make run`): the
#: passwords are published.
DEMO_LOGINS = [
    ("office", "office-demo", "Office staff"),
    ("manager", "manager-demo", "Managers"),
    ("admin", "admin-demo", None),
]


class Command(BaseCommand):
    help = "Load the sandbox demo data on first run and create the demo logins (sandbox only)."

    def handle(self, *args, **options):
        if settings.SEVENTIME_API_URL:
            self.stdout.write(
                "SEVENTIME_API_URL is set: using the real API; no demo data or demo logins are created. "
                "Create your own login with `python manage.py createsuperuser`."
            )
            return
        if not settings.SANDBOX_ENABLED:
            self.stdout.write(
                "The sandbox is off (DEBUG off and SANDBOX_ENABLED not set): no demo data or demo logins "
                "are created. Set SEVENTIME_API_URL for the real API, or SANDBOX_ENABLED=true for a trial."
            )
            return
        call_command("sandbox_reset", if_empty=True, stdout=self.stdout)
        User = get_user_model()
        lines = []
        for username, password, group in DEMO_LOGINS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = group is None
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
            role = group or "superuser"
            lines.append(f"  {username:<8} / {password:<13} ({role})")
        self.stdout.write(self.style.SUCCESS("Demo logins (sandbox only):"))
        self.stdout.write("\n".join(lines))
