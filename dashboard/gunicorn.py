"""gunicorn's settings for `make serve` and for a process manager:

    gunicorn -c python:dashboard.gunicorn dashboard.wsgi:application

Threaded workers: a page mostly waits (on the database, on Seven Time for a detail
page or a create), and threads wait cheaply. Measured on a 2-core machine, 4 workers
of 1 thread ran out of workers at about 26 pages a second with the CPU half idle;
2 workers of 8 threads served twice as much. So: one worker process per core, 8
threads each, both overridable (WEB_WORKERS, WEB_THREADS)."""

import os
from pathlib import Path

import environ

# The same .env the settings read (real environment variables win), so that HOST, PORT
# and WEB_* set there count here too.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env")

bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
workers = int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 2)
threads = int(os.environ.get("WEB_THREADS") or 8)
worker_class = "gthread"
# A create waits at most SEVENTIME_TOTAL_TIMEOUT (15 s) per call on Seven Time.
timeout = int(os.environ.get("WEB_TIMEOUT") or 60)
graceful_timeout = 20
# How long an idle keep-alive connection stays open. gunicorn's default (2 s) closes it
# just as a client may be reusing it, and that request is reset ("Connection reset by
# peer": the load test's first pages after its users signed in met it). A load balancer
# that keeps connections to the app servers must find them open: keepalive has to exceed
# its idle timeout (60 s on AWS's and nginx's defaults), or it answers 502 now and then.
# Idle connections wait in gthread's poller, holding no thread (worker_connections: 1000).
keepalive = int(os.environ.get("WEB_KEEPALIVE") or 75)
accesslog = "-"
errorlog = "-"
# Imports Django once in the master; workers fork with it loaded (less memory, faster start).
preload_app = True
