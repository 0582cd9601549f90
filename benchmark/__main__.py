"""python -m benchmark [--latency MS] [--requests N], with the settings of the
environment (make benchmark sets production ones)."""

import argparse
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark",
        description="Benchmark pages against the sandbox over real HTTP with injected upstream latency.",
    )
    parser.add_argument("--latency", type=int, default=100, help="Injected upstream latency in ms (100).")
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per page kind (20).")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    # The measuring code reads models and settings as it is imported: after set-up.
    from benchmark.run import Benchmark

    Benchmark().run(options.latency, options.requests)


if __name__ == "__main__":
    main()
