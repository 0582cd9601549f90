"""The sandbox: a stateful implementation of the documented Seven Time API with
Swedish demo data, so the dashboard runs with no account and no network."""
