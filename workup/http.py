"""JSON requests and answers shared by the API, the CDS service and the error handlers."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest, JsonResponse

from workup.pathway import validation


class JsonNumberRefused(ValueError):
    """A number in the body is over-long or out of range; `field` is its path in the body."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class JsonDuplicateKey(ValueError):
    """An object in the body names the same key twice: which value was meant is unknowable."""

    def __init__(self, key: str):
        super().__init__(f"“{validation.echo_value(key)}” appears more than once in the same object.")
        self.field = key
        self.message = str(self)


class _RefusedNumber:
    """Stands in for a refused number while decoding, so that the walk can name its field."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _decimal(text: str) -> Decimal | _RefusedNumber:
    message = validation.number_text_error(text)
    return _RefusedNumber(message) if message else Decimal(text)


def _integer(text: str) -> int | _RefusedNumber:
    # int() of a long digit string is quadratic; the text bound is checked first.
    message = validation.number_text_error(text)
    return _RefusedNumber(message) if message else int(text)


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        raise JsonDuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return data


def _first_refused(data: object) -> tuple[str, str] | None:
    """(path, message) of the first refused number in decoded JSON, walked without recursion."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _RefusedNumber):
            return path or "body", value.message
        if isinstance(value, dict):
            children = [(f"{path}.{key}" if path else str(key), item) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))
    return None


def json_errors(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    """A JSON answer of error messages keyed by the field they concern."""
    return JsonResponse({"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False})


def json_loads(text: str | bytes) -> object:
    """Decoded JSON, numbers as Decimal (int for whole literals), each bounded at parse time.

    Raises JsonNumberRefused naming the field of an over-long or out-of-range number,
    JsonDuplicateKey naming a key given twice in one object (never last-one-wins), and
    ValueError when the text is not JSON.
    """
    try:
        data = json.loads(
            text, parse_float=_decimal, parse_int=_integer, parse_constant=_reject_constant,
            object_pairs_hook=_object_without_duplicates,
        )  # fmt: skip
    except RecursionError as error:
        raise ValueError("nested too deeply") from error
    refused = _first_refused(data)
    if refused:
        raise JsonNumberRefused(*refused)
    return data


def json_body(request: HttpRequest) -> object:
    """The decoded JSON body (see json_loads); raises ValueError when it is not JSON."""
    return json_loads(request.body)
