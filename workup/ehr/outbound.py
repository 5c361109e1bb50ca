"""Requests this app makes to an EHR (SMART configuration, token, FHIR reads, a CDS client's JWK Set).

Every such answer is read under one total deadline (not a timeout per read: an answer that drips a
byte at a time still ends when the deadline does), at most a size cap, never through a redirect,
and as JSON no deeper than MAX_JSON_DEPTH (a deeply nested answer is refused with a reason instead of
exhausting Python's recursion limit).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import requests

MAX_JSON_DEPTH = 64  # a FHIR Bundle of Observations is about a dozen levels deep
READ_CHUNK = 16 * 1024


class OutboundRefused(Exception):
    """An answer this app does not use; the message says why, without its content."""


def deadline_after(seconds: float) -> float:
    return time.monotonic() + seconds


def remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundRefused("took longer than allowed")
    return left


def read_body(answer: requests.Response, *, deadline: float, max_bytes: int) -> bytes:
    """The whole body, read before `deadline` and no longer than `max_bytes` (each read waits at most
    the time left)."""
    sock = getattr(getattr(answer.raw, "connection", None), "sock", None)
    chunks, size = [], 0
    while True:
        if sock is not None:
            sock.settimeout(remaining(deadline))
        try:
            chunk = answer.raw.read1(READ_CHUNK, decode_content=True)
        except (requests.RequestException, OSError, ValueError) as failed:
            raise OutboundRefused("could not be read") from failed
        remaining(deadline)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise OutboundRefused("was larger than allowed")
        chunks.append(chunk)


def parse_json(body: bytes) -> Any:
    """JSON (numbers with a fraction as Decimal), refused when deeper than MAX_JSON_DEPTH."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except RecursionError as deep:
        raise OutboundRefused("was nested too deeply") from deep
    except ValueError as not_json:
        raise OutboundRefused("was not JSON") from not_json
    if json_depth(data) > MAX_JSON_DEPTH:
        raise OutboundRefused("was nested too deeply")
    return data


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def get_json(url: str, *, headers: dict[str, str], seconds: float, max_bytes: int) -> tuple[int, Any]:
    """(status, JSON body) of a GET, with no redirect followed, within `seconds` in all."""
    deadline = deadline_after(seconds)
    try:
        answer = requests.get(url, headers=headers, allow_redirects=False, stream=True,
                              timeout=(min(remaining(deadline), 3.0), remaining(deadline)))
    except requests.RequestException as failed:
        raise OutboundRefused("could not be reached") from failed
    try:
        body = read_body(answer, deadline=deadline, max_bytes=max_bytes)
    finally:
        answer.close()
    if answer.status_code != 200:
        raise OutboundRefused(f"answered {answer.status_code}")
    return answer.status_code, parse_json(body)
