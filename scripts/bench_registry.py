"""The registry page at scale on PostgreSQL (a benchmark, not a test).

    DJANGO_ALLOW_DEV_SECRET=1 python -m scripts.bench_registry [--cases 100000] [--repeat 20] [--reuse]

Makes (or empties) a throwaway database `marrow_registry_bench` on the local PostgreSQL
(postgres://marrow:marrow@127.0.0.1:5432, override with POSTGRES_BENCH_URL), migrates it, fills
it with `seed_registry --cases N` (timed), then renders /registry/ `repeat` times through Django's
test client as a staff user (after two warm-up renders) and prints the median and p95 wall time,
the queries of one render with their times, and EXPLAIN (ANALYZE, BUFFERS) of the slowest one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("POSTGRES_BENCH_URL", "postgres://marrow:marrow@127.0.0.1:5432")
DATABASE = "marrow_registry_bench"


def database_fresh() -> str:
    """Drop and create the throwaway database; its URL."""
    import psycopg

    with psycopg.connect(f"{SERVER}/marrow", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return f"{SERVER}/{DATABASE}"


def manage(url: str, *args: str) -> float:
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ALLOW_DEV_SECRET": "1"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="Keep the database a previous run filled (no seeding).")
    args = parser.parse_args()
    url = f"{SERVER}/{DATABASE}" if args.reuse else database_fresh()
    manage(url, "migrate", "--noinput", "-v0")
    seeded = 0.0 if args.reuse else manage(url, "seed_registry", "--cases", str(args.cases))
    manage(url, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")

    os.environ.update(DATABASE_URL=url, DJANGO_ALLOW_DEV_SECRET="1", DJANGO_DEBUG="1",  # noqa: S106 - a flag, not a secret
                      DJANGO_SETTINGS_MODULE="marrowapp.settings")  # fmt: skip
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    staff, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    client = Client()
    client.force_login(staff)
    for _ in range(2):
        assert client.get("/registry/").status_code == 200
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get("/registry/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b"Yield per biopsy trigger" in response.content
    with CaptureQueriesContext(connection) as captured:
        client.get("/registry/")
    times.sort()
    print(f"seed_registry --cases {args.cases}: {seeded:.1f} s (migrate not included; 0 with --reuse)")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"/registry/ over {args.repeat} renders: median {statistics.median(times):.0f} ms, "
          f"p95 {times[max(0, round(0.95 * len(times)) - 1)]:.0f} ms, min {times[0]:.0f} ms")  # fmt: skip
    print(f"{len(captured.captured_queries)} queries in one render:")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the slowest query:\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
