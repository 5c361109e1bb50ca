"""Shared test support: the golden cases, their conversion to form posts, and reading the panel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tests.golden import golden_cases, representative_names
from workup.learning.golden import GOLDEN_CASES_PATH
from workup.services import form_data_from_case

INVALID_CASES_PATH = Path(__file__).parent / "cases" / "invalid.json"


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a case file, numbers as Decimal so they post exactly as written."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle, parse_float=Decimal)["cases"]


GOLDEN = load_cases(GOLDEN_CASES_PATH)
INVALID = load_cases(INVALID_CASES_PATH)


# The screen's subset of the golden set (tests/golden.py `representative_names`), numbers as written.
REPRESENTATIVE = [case for case in GOLDEN if case["name"] in representative_names()]


def golden(name: str) -> dict[str, Any]:
    return next(case for case in GOLDEN if case["name"] == name)


def form_data(api_input: dict[str, Any]) -> dict[str, str | list[str]]:
    """The form post a person would make for a case written in the JSON API's format."""
    return form_data_from_case(inputs=api_input)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class Page(HTMLParser):
    """A flat list of elements with their attributes and all the text inside each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in {"input", "meta", "link", "br", "img", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def with_attr(self, name: str, value: str | None = None) -> list[Element]:
        return [e for e in self.elements if name in e.attrs and (value is None or e.attrs[name] == value)]

    def by_id(self, element_id: str) -> Element:
        (element,) = self.with_attr("id", element_id)
        return element


def parse(html: bytes | str) -> Page:
    page = Page()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    return page


@dataclass(frozen=True)
class PanelReading:
    """What the recommendation panel says, read from its data attributes."""

    disposition: str | None
    rule_ids: frozenset[str]
    active_pitfalls: frozenset[str]


def read_panel(html: bytes | str) -> PanelReading:
    page = parse(html)
    dispositions = [e.attrs["data-disposition"] for e in page.with_attr("data-disposition")]
    return PanelReading(
        disposition=dispositions[0] if dispositions else None,
        rule_ids=frozenset(e.attrs["data-rule-id"] for e in page.with_attr("data-rule-id")),
        active_pitfalls=frozenset(
            e.attrs["data-pitfall-id"] for e in page.with_attr("data-active", "true")
        ),
    )


def referred_heavy_case(user_model) -> tuple[Any, Any, Any]:
    """A radiologist's saved workup of the golden case with every kind of input, referred to a
    hematologist: (radiologist, hematologist, workup). The pages a hematologist reads are checked on it."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from workup.saved import services as saved

    call_command("setup_roles", verbosity=0)
    radiologist = user_model.objects.create_user(username="rad-ana", password="pw-rad-ana-long")
    radiologist.groups.add(Group.objects.get(name="radiologist"))
    hematologist = user_model.objects.create_user(username="hem-dora", password="pw-hem-dora-long")
    hematologist.groups.add(Group.objects.get(name="hematologist"))
    case = next(c for c in golden_cases() if c["name"] == "all-triggers-and-flags")  # numbers as JSON floats
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]), label="heavy one")
    saved.workup_refer(workup=workup, actor=radiologist, version=workup.version)
    return radiologist, hematologist, workup
