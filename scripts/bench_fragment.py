"""Where one panel fragment's time goes, in-process (a benchmark, not a test).

    python -m scripts.bench_fragment [--rounds 3]

Posts every golden case as the screen's htmx request would (form body, CSRF header, `HX-Request`,
`Accept-Encoding: br, gzip`, `X-Forwarded-Proto: https`) through Django's full handler with DEBUG
off, and the same number of `GET /healthz` as the floor. Wraps the stages of the view in timers
and prints the mean µs per request of each: parsing the body, checking the fields, building the
case, the engine, the report text, drawing the panel and gzip. Times inside a request are larger
than the same code timed alone in a loop (the rest of the request evicts it from the CPU caches),
which is why this measures them in place.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import time
from urllib.parse import urlencode

TOKEN = "b" * 32  # an unmasked CSRF secret: Django accepts it in the header as well as a masked one


def _configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marrowapp.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOW_DEV_SECRET"] = "1"  # noqa: S105 - a flag, not a secret
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def _timed(spent: collections.Counter, owner: object, name: str, label: str) -> None:
    """Replace owner.name with a wrapper that adds its wall time to spent[label]."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the golden cases after a warm-up pass")
    args = parser.parse_args()
    _configure()

    from django.http import request as http_request
    from django.middleware import gzip
    from django.test import Client

    from scripts.bench import form_fields, golden_inputs
    from workup import services, views

    bodies = [urlencode(form_fields(case)) for case in golden_inputs()]
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN
    headers = {"HX-Request": "true", "Accept-Encoding": "br, gzip", "X-CSRFToken": TOKEN,
               "X-Forwarded-Proto": "https", "Referer": "https://testserver/"}

    def fragments() -> None:
        for body in bodies:
            response = client.post("/", body, content_type="application/x-www-form-urlencoded",
                                   headers=headers, secure=True)
            assert response.status_code == 200, response.status_code

    spent: collections.Counter = collections.Counter()
    stages = [
        (http_request.HttpRequest, "_load_post_and_files", "parse the form body"),
        (views, "workup_form", "bind the form"),
        (services, "_case_and_inputs_from_form", "build the case"),
        (services, "workup_evaluate", "engine"),
        (services, "workup_report", "report text"),
        (views, "render", "draw the panel"),
        (gzip, "compress_string", "gzip"),
    ]
    for owner, name, label in stages:
        _timed(spent, owner, name, label)
    fragments()  # warm-up: templates compiled
    spent.clear()
    start = time.perf_counter()
    for _ in range(args.rounds):
        fragments()
    total = time.perf_counter() - start
    count = args.rounds * len(bodies)
    start = time.perf_counter()
    for _ in range(count):
        client.get("/healthz", headers={"X-Forwarded-Proto": "https"}, secure=True)
    floor = time.perf_counter() - start

    print(f"{count} fragment requests over the {len(bodies)} golden cases; mean µs per request:")
    print(f"  {'whole request':<22}{total / count * 1e6:8.0f}")
    for _, _, label in stages:
        print(f"  {label:<22}{spent[label] / count * 1e6:8.0f}")
    rest = total - sum(spent.values())
    print(f"  {'the rest':<22}{rest / count * 1e6:8.0f}  (middleware, CSRF, cookies, test client)")
    print(f"  {'/healthz (the floor)':<22}{floor / count * 1e6:8.0f}")


if __name__ == "__main__":
    main()
