"""python -m benchmark [--latency MS] [--requests N] [--copy [--scale N] [--sync]],
with the settings of the environment (make benchmark sets production ones)."""

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
    parser.add_argument(
        "--copy",
        action="store_true",
        help="Fill the local copy first and measure the list, filter and sort pages read from it "
        "(benchmark/copy_pages.py; issue 14's targets).",
    )
    parser.add_argument("--scale", type=int, default=0, help="With --copy: sandbox_reset --scale N first (a large account).")
    parser.add_argument("--sync", action="store_true", help="With --copy: fill it by a real full sync (slower).")
    parser.add_argument("--keep", action="store_true", help="With --copy --scale N: the sandbox already holds that account.")
    parser.add_argument(
        "--with-search",
        action="store_true",
        help="With --copy: the start page's search too (it asks Seven Time until it reads the copy).",
    )
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    # The measuring code reads models and settings as it is imported: after set-up.
    if options.copy:
        from benchmark.copy_pages import CopyBenchmark

        CopyBenchmark().run(
            options.requests,
            options.latency,
            scale=options.scale or None,
            sync=options.sync,
            keep=options.keep,
            search=options.with_search,
        )
        return
    from benchmark.run import Benchmark

    Benchmark().run(options.latency, options.requests)


if __name__ == "__main__":
    main()
