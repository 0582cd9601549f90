"""The page-speed benchmark: `make benchmark`, or `python -m benchmark` from the
project's root. Not part of the installed app: it measures the app from outside,
as its users meet it (see docs/performance.md)."""
