"""The engine's own speed: time per evaluation over the golden cases (a benchmark, not a test).

    python -m scripts.bench_engine [--repeat 20] [--number 10] [--profile]

Each golden case is parsed once (as the API parses it, floats as Decimal) and then evaluated
`number` times, `repeat` times over; the best of the repeats is its time. Time is this process's
CPU time (time.process_time), so other work on a shared machine is not counted as the engine's. Prints the median and the minimum of those
per-case times, and the cases per second one core gets through the whole set.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
import timeit
from decimal import Decimal
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "workup" / "pathway" / "golden.json"


def golden_cases() -> list:
    from workup.pathway.parsing import case_from_json

    inputs = [case["input"] for case in json.loads(GOLDEN.read_text())["cases"]]
    return [case_from_json(data=json.loads(json.dumps(i), parse_float=Decimal)) for i in inputs]


def per_case_seconds(cases: list, *, repeat: int, number: int) -> list[float]:
    """The best time per evaluation of each case."""
    from workup.pathway.engine import evaluate

    return [min(timeit.repeat(lambda c=c: evaluate(c), number=number, repeat=repeat, timer=time.process_time)) / number for c in cases]


def profile(cases: list, rounds: int = 200) -> None:
    """cProfile over every golden case, `rounds` times; the top functions by own time."""
    from workup.pathway.engine import evaluate

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for case in cases:
            evaluate(case)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--number", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the engine")
    args = parser.parse_args()

    cases = golden_cases()
    times = per_case_seconds(cases, repeat=args.repeat, number=args.number)
    median, best = statistics.median(times) * 1e6, min(times) * 1e6
    print(f"engine: {len(cases)} golden cases, best of {args.repeat} × {args.number} evaluations each")
    print(f"  median {median:.1f} µs, min {best:.1f} µs, max {max(times) * 1e6:.1f} µs per evaluation")
    print(f"  {len(times) / sum(times):,.0f} cases per second (one core, the golden set end to end)")
    if args.profile:
        profile(cases)


if __name__ == "__main__":
    main()
