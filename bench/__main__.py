"""`make bench`: runs every bench/bench_*.py (each has main() -> dict of figures) and prints the figures.

Select some with `python -m bench documents permits`. Results also go to bench/out/results.json.
Set BENCH_DATABASE_URL=postgresql://… to run the database-backed benchmarks on PostgreSQL too."""

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{a}" for a in argv] or names
    results, failed = {}, []
    for name in wanted:
        if name not in names:
            print(f"no benchmark {name}; have {', '.join(names)}")
            return 2
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            figures = importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # noqa: BLE001 - report and go on to the next benchmark
            print(f"   FAILED: {exc!r}")
            failed.append(name)
            continue
        results[name] = figures
        for key, value in figures.items():
            print(f"   {key}: {value}")
        print(f"   ({time.perf_counter() - started:.1f}s)")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
