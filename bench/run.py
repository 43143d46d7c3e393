"""Run the benchmarks (`make bench`, or `bench/run.py [name ...] [-- script args]`).

Each bench/bench_<name>.py runs in its own process (its own memory figures, its own Django
setup against the bench database) and prints its figures; this runner prints them as they come
and a summary at the end. `make bench BENCH_ARGS="customer_screens"` runs one of them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    return {path.stem.removeprefix("bench_"): path for path in sorted(BENCH_DIR.glob("bench_*.py"))}


def main(argv: list[str]) -> int:
    own, _separator, passed = (
        (argv[: argv.index("--")], "--", argv[argv.index("--") + 1 :])
        if "--" in argv
        else (argv, "", [])
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    options = parser.parse_args(own)
    scripts = available()
    if options.list:
        print("\n".join(scripts))
        return 0
    unknown = [name for name in options.names if name not in scripts]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; have {', '.join(scripts)}")
    chosen = options.names or list(scripts)
    print(
        "Benchmarks on a shared 2-core machine: expect noise; compare medians, rerun outliers.",
        flush=True,
    )
    results: list[tuple[str, int, float]] = []
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(scripts[name]), *passed], cwd=BENCH_DIR.parent)
        results.append((name, code, time.monotonic() - started))
    print("\n=== summary ===")
    for name, code, seconds in results:
        status = "ok" if code == 0 else ("target missed" if code == 2 else f"failed ({code})")
        print(f"{name:<24} {status:<16} {seconds:8.1f} s")
    return max((code for _name, code, _seconds in results), default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
