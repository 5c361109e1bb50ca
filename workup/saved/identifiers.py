"""Free-text labels must not carry patient identifiers: the app stores none (README)."""

from __future__ import annotations

import re

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)

# Each pattern names what it found, so the message can say what to remove.
IDENTIFIER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "a date",
        re.compile(
            rf"\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{2,4}})?\b"
            rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
            rf"|\b{_MONTH}\s+\d{{4}}\b",
            re.IGNORECASE,
        ),
    ),
    ("a phone number", re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)\d{3,4}[\s.-]?\d{3,4}|\+\d[\d\s.-]{7,}\d|\b\d{3}[\s.-]\d{3,4}[\s.-]\d{4}\b")),
    ("a long number such as a record number", re.compile(r"(?:\d[\s.-]?){5,}\d")),
    ("a word that introduces an identifier", re.compile(r"\b(?:dob|d\.o\.b|born|mrn|nhs|ssn)\b", re.IGNORECASE)),
)


def label_identifier_problems(label: str) -> list[str]:
    """What in a label looks like a patient identifier (dates, long digit runs, e-mail, phone)."""
    return [kind for kind, pattern in IDENTIFIER_PATTERNS if pattern.search(label)]


def label_identifier_message(problems: list[str]) -> str:
    return (
        f"The label seems to contain {' and '.join(problems)}. Labels must not identify a patient: "
        "no dates (including dates of birth), record numbers, e-mail addresses or phone numbers. "
        "Use a neutral label such as “reading room 2, morning list”."
    )
