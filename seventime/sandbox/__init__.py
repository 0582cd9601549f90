"""The sandbox: a stateful implementation of the documented Seven Time API with
Swedish demo data, so the dashboard runs with no account and no network."""

#: The address a client of the in-process sandbox is built with. It is never
#: resolved: transport.SandboxAdapter, mounted on it, answers every request
#: (dashboard/api.py plugs it in). Here, not in transport.py, so that it can be read
#: without loading the sandbox's models (they exist only when it is switched on).
BASE_URL = "http://sandbox.internal/sandbox/api/1/"
