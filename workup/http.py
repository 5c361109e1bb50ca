"""JSON requests and answers shared by the API, the CDS service and the error handlers."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest, JsonResponse


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def json_errors(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    """A JSON answer of error messages keyed by the field they concern."""
    return JsonResponse({"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False})


def json_body(request: HttpRequest) -> object:
    """The decoded JSON body, numbers as Decimal; raises ValueError when it is not JSON."""
    try:
        return json.loads(request.body, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error
