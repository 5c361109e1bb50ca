"""Freeze the engine's output and compare against it: the safety net for engine refactoring.

Evaluates a fixed corpus — every golden case, cases mixed from the golden inputs, and Hypothesis
cases drawn deterministically — and records, per case, a hash of the API result
(`json.dumps(to_dict(), sort_keys=True)`) and of the whole Assessment's `repr` (which also covers
the fields the API leaves out and the exact Decimal digits). Not a test: the snapshot pins today's
output byte for byte, which is the point while optimising and a nuisance otherwise.

    python -m scripts.engine_snapshot --write /tmp/engine-before.json   # before the change
    python -m scripts.engine_snapshot --check /tmp/engine-before.json   # after it
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "workup" / "pathway" / "golden.json"
TODAY = dt.date(2026, 1, 15)  # for cases without an evaluation date, so the follow-up date is fixed
SEED = 20261125


def golden_inputs() -> list[dict]:
    return [case["input"] for case in json.loads(GOLDEN.read_text())["cases"]]


def mixed_inputs(golden: list[dict], count: int) -> list[dict]:
    """Cases that recombine golden values: each key taken from a random golden case, or left out."""
    rng = random.Random(SEED)  # noqa: S311 - a reproducible corpus, not a secret
    pool: dict[str, list] = {}
    for case in golden:
        for key, value in case.items():
            pool.setdefault(key, []).append(value)
    cases = []
    for _ in range(count):
        keep = rng.random()
        cases.append({key: rng.choice(values) for key, values in pool.items() if rng.random() < keep})
    return cases


def hypothesis_inputs(count: int) -> list[dict]:
    """Cases from tests.strategies.api_cases(), drawn deterministically (derandomize)."""
    from hypothesis import HealthCheck, given, settings

    from tests.strategies import api_cases

    drawn: list[dict] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(api_cases())
    def collect(data):
        drawn.append(data)

    collect()
    return drawn


def corpus() -> list[dict]:
    golden = golden_inputs()
    return golden + mixed_inputs(golden, 3000) + hypothesis_inputs(3000)


def fingerprint(data: dict) -> tuple[str, str]:
    """(hash of the input as the API would parse it, hash of the engine's output for it)."""
    from workup.pathway.engine import evaluate
    from workup.pathway.parsing import CaseInvalid, case_from_json

    text = json.dumps(data, sort_keys=True)
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    try:
        case = case_from_json(data=json.loads(text, parse_float=Decimal))
    except CaseInvalid:  # a mixed case can pair κ and λ in different units
        return key, "invalid"
    assessment = evaluate(case, today=TODAY)
    output = json.dumps(assessment.to_dict(), sort_keys=True) + "\n" + repr(assessment)
    return key, hashlib.sha256(output.encode()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="store the snapshot here")
    mode.add_argument("--check", type=Path, help="compare with the snapshot stored here")
    args = parser.parse_args()

    snapshot = [fingerprint(data) for data in corpus()]
    if args.write:
        args.write.write_text(json.dumps(snapshot))
        print(f"wrote {len(snapshot)} case fingerprints to {args.write}")
        return 0
    stored = [tuple(pair) for pair in json.loads(args.check.read_text())]
    if [key for key, _ in stored] != [key for key, _ in snapshot]:
        print("the corpus itself differs from the snapshot's: not comparable")
        return 2
    differing = [i for i, (old, new) in enumerate(zip(stored, snapshot, strict=True)) if old != new]
    print(f"{len(snapshot)} cases, {len(differing)} with a different output"
          + (f" (first: #{differing[:10]})" if differing else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    # A frozenset's repr follows string hashing; fix the seed so two runs print sets alike.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", "scripts.engine_snapshot", *sys.argv[1:]])  # noqa: S606
    sys.exit(main())
