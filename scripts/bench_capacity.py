"""Capacity (`make bench-capacity`): how many clinicians typing at once one server holds (not a test).

Starts gunicorn as `make serve` does (2 sync workers, DEBUG off, a throwaway SQLite database) and
replays typing sessions against it: each virtual clinician takes golden cases in turn and enters
them field by field, key by key, at a person's pace, with think time between fields and between
cases. The screen's requests are replayed as the page sends them, read from the trigger of its
form on `GET /`: the page waits for a pause in typing (the trigger's `delay:`) before it posts the
whole form, so a keystroke followed by a longer pause sends a request and the last keystroke of a
field always does; when the trigger also lists `change`, leaving a typed field posts once more. Every request is the htmx fragment POST with the form as typed so far (partial numbers
included), with the CSRF token, `HX-Request` and the headers nginx adds. Each level of load runs
for a fixed time; the answer is the most clinicians with p99 ≤ 100 ms and no errors.

    python -m scripts.bench_capacity [--levels 25,50,100,200,400,800] [--seconds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from scripts import serving
from scripts.typing_sessions import Field, fields_of, form_pairs, golden_cases, typed

P99_BUDGET_MS = 100.0
WARM_UP_S = 5.0


@dataclass
class Pace:
    """A person's pace, in seconds: between keys, between fields, and between cases."""

    key: tuple[float, float] = (0.12, 0.35)
    think: tuple[float, float] = (1.5, 5.0)
    between_cases: tuple[float, float] = (10.0, 30.0)


@dataclass
class Tally:
    started: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0

    def record(self, sent: float, ok: bool) -> None:
        self.sent += 1
        if sent - self.started < WARM_UP_S:
            return
        if ok:
            self.latencies_ms.append((time.monotonic() - sent) * 1000)
        else:
            self.errors += 1


def keystrokes(entered: list[Field], current: Field) -> list[list[tuple[str, str]]]:
    """The form after each keystroke of `current` (one entry for a field chosen with one action)."""
    if not typed(current):
        return [form_pairs([*entered, current])]
    text = str(current.value)
    return [form_pairs([*entered, Field(current.step, current.key, current.kind, text[:n], current.unit)])
            for n in range(1, len(text) + 1)]


@dataclass(frozen=True)
class PageTrigger:
    """When the page posts the panel: after `debounce` s without a key, and on leaving a changed
    field too when the trigger lists the plain `change` event."""

    debounce: float
    on_change: bool


def page_trigger(html: str) -> PageTrigger:
    """Read from the trigger of the form whose answers go to the recommendation panel."""
    form = re.search(r"<form[^>]*#recommendation-panel[^>]*>", html)
    trigger = re.search(r"hx-trigger=\"([^\"]*)\"", form.group(0)) if form else None
    spec = trigger.group(1) if trigger else ""
    delay = re.search(r"delay:(\d+)ms", spec)
    return PageTrigger(debounce=int(delay.group(1)) / 1000 if delay else 0.0,
                       on_change=re.search(r"(^|[\s,])change(\s|,|$)", spec) is not None)


async def post(port: int, body: bytes, headers: bytes) -> bool:
    """One fragment POST on its own connection (gunicorn's sync workers close each one); 200 or not."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"POST / HTTP/1.1\r\n" + headers + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        status = await reader.readline()
        await reader.read()  # to the end: gunicorn closes after the response
        return status.startswith(b"HTTP/1.1 200")
    except OSError:
        return False
    finally:
        writer.close()


async def clinician(port: int, headers: bytes, cases: list[dict], pace: Pace, trigger: PageTrigger, tally: Tally,
                    until: float, rng: random.Random) -> None:
    debounce = trigger.debounce
    await asyncio.sleep(rng.uniform(0, pace.think[1]))  # clinicians do not all start at the same moment
    while time.monotonic() < until:
        entered: list[Field] = []
        for current in fields_of(rng.choice(cases)):
            states = keystrokes(entered, current)
            for index, state in enumerate(states):
                last = index == len(states) - 1
                gap = 0.0 if last else rng.uniform(*pace.key)
                if last or gap >= debounce:
                    await asyncio.sleep(debounce)
                    sent = time.monotonic()
                    if sent >= until:
                        return
                    tally.record(sent, await post(port, urlencode(state).encode(), headers))
                    gap = max(0.0, gap - debounce - (time.monotonic() - sent))
                await asyncio.sleep(gap)
            entered.append(current)
            if trigger.on_change and typed(current):  # leaving a typed field fires `change`
                sent = time.monotonic()
                tally.record(sent, await post(port, urlencode(states[-1]).encode(), headers))
            await asyncio.sleep(rng.uniform(*pace.think))
        await asyncio.sleep(rng.uniform(*pace.between_cases))


async def run_level(port: int, headers: bytes, cases: list[dict], pace: Pace, trigger: PageTrigger, *,
                    clinicians: int, seconds: float, seed: int) -> Tally:
    tally = Tally(started=time.monotonic())
    until = tally.started + seconds
    await asyncio.gather(*(clinician(port, headers, cases, pace, trigger, tally, until, random.Random(seed + n))  # noqa: S311 - a load pattern
                           for n in range(clinicians)))
    return tally


def fragment_headers(port: int) -> tuple[bytes, PageTrigger]:
    """The headers the page's htmx request carries through nginx, and when the page posts."""
    response, page = serving.fetch(port, "GET", "/")
    token = serving.cookies(response)["csrftoken"].split(";", 1)[0].split("=", 1)[1]
    origin = f"https://127.0.0.1:{port}"
    headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1",
               "HX-Request": "true", "HX-Current-URL": origin + "/", "Origin": origin, "Referer": origin + "/",
               "Cookie": f"csrftoken={token}", "X-CSRFToken": token, "Accept-Encoding": "br, gzip",
               "Content-Type": "application/x-www-form-urlencoded", "Connection": "close"}
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode(), page_trigger(page.decode())


def warm_up(port: int, headers: bytes, cases: list[dict]) -> None:
    """Every golden case once, complete, so templates and imports are loaded in both workers."""

    async def each() -> None:
        for case in cases:
            await asyncio.gather(*(post(port, urlencode(form_pairs(fields_of(case))).encode(), headers)
                                   for _ in range(2)))

    asyncio.run(each())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="25,50,100,200,400,800",
                        help="clinicians at each level, tried in order until p99 exceeds the budget")
    parser.add_argument("--seconds", type=float, default=40.0, help="per level, the first 5 s not counted")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    cases, pace = golden_cases(), Pace()
    with tempfile.TemporaryDirectory(prefix="marrow-capacity-") as tmp:
        workdir = Path(tmp)
        env = serving.production_env(workdir=workdir, GUNICORN_ACCESS_LOG=str(workdir / "access.log"))
        serving.prepare(env)
        port = serving.free_port()
        master = serving.start_gunicorn(env, port=port, workers=2, log=workdir / "gunicorn.log")
        try:
            headers, trigger = fragment_headers(port)
            warm_up(port, headers, cases)
            print(f"gunicorn: 2 sync workers on 127.0.0.1:{port}, DEBUG off; the page posts after {trigger.debounce * 1000:.0f} ms without a key"
                  f"{' and on leaving a changed field' if trigger.on_change else ''}; "
                  f"keys {pace.key[0]}-{pace.key[1]} s apart, think {pace.think[0]}-{pace.think[1]} s between fields, "
                  f"{pace.between_cases[0]:.0f}-{pace.between_cases[1]:.0f} s between cases")
            print(f"{'clinicians':>10} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
                  f"{'worker CPU µs/req':>18} {'client CPU %':>12}")
            held = 0
            for clinicians in (int(n) for n in args.levels.split(",")):
                workers = serving.worker_pids(master.pid)
                cpu_before = sum(serving.cpu_seconds(pid) for pid in workers)
                client_before = resource.getrusage(resource.RUSAGE_SELF)
                tally = asyncio.run(run_level(port, headers, cases, pace, trigger, clinicians=clinicians,
                                              seconds=args.seconds, seed=args.seed))
                client_after = resource.getrusage(resource.RUSAGE_SELF)
                used = sum(serving.cpu_seconds(pid) for pid in workers) - cpu_before
                counted = args.seconds - WARM_UP_S
                client_cpu = (client_after.ru_utime + client_after.ru_stime
                              - client_before.ru_utime - client_before.ru_stime) / args.seconds
                n = len(tally.latencies_ms)
                p99 = percentile(tally.latencies_ms, 0.99) if n else float("inf")
                print(f"{clinicians:>10} {n / counted:>7.1f} {statistics.median(tally.latencies_ms) if n else 0:>7.1f} "
                      f"{p99:>7.1f} {tally.errors:>6} {used / max(tally.sent, 1) * 1e6:>18.0f} {client_cpu:>11.0%}", flush=True)
                if p99 > P99_BUDGET_MS or tally.errors:
                    break
                held = clinicians
        finally:
            serving.stop(master)
    print(f"one server (2 workers) holds {held} clinicians typing at once with p99 ≤ {P99_BUDGET_MS:.0f} ms "
          "(the last level within budget; the next one was over, or the list ended)")


if __name__ == "__main__":
    main()
