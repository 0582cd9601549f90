"""WSGI entry point (`dashboard.wsgi:application`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
application = get_wsgi_application()

# What start-up loaded (Django, the apps, their modules: ~90,000 objects) lives as
# long as the process. Frozen, the collector stops walking it: a full collection,
# which every few dozen requests made one request wait ~50 ms, now walks only what
# requests left behind. (With a pre-forking server, workers also keep sharing
# these pages instead of copying them when the collector touches them.)
gc.collect()
gc.freeze()
