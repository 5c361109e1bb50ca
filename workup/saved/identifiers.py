"""Stored free text must not carry patient identifiers: the app stores none (README).

Text is normalised before it is checked, so that look-alike spellings cannot slip through:
compatibility forms (NFKC: full-width letters and digits, circled digits), digits of any script,
Unicode look-alike letters (the confusables of Unicode TS #39, e.g. a Cyrillic М for M), and any
dash, space, slash or invisible character as a plain separator. Then dates, long numbers, e-mail
addresses, phone numbers, words that introduce an identifier, and person names are looked for.

Names are found with the US Census given-name and surname lists (shipped by the `names` package):
a title-case given name followed by a listed surname ("John Smith"), a listed surname and given
name ("Smith, John"), or a title before a capitalised word ("Dr Patel", "Mrs Smith"). A lone
surname cannot be told from an ordinary word and is not looked for.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import names as census_names
from confusable_homoglyphs.confusables import confusables_data

# --- Normalisation -----------------------------------------------------------------------------

_SLASHES = {"\u2044", "\u2215", "\u29f8", "\uff0f", "\u2571"}
_MINUS = {"\u2212", "\u2010", "\u2011", "\ufe63", "\uff0d"}


@functools.cache
def _latin_lookalikes() -> dict[str, str]:
    """Each character that looks like an ASCII letter or digit → that ASCII character (TS #39 data)."""
    table: dict[str, str] = {}
    for character, homoglyphs in confusables_data.items():
        if len(character) != 1 or character.isascii():
            continue
        ascii_forms = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()]
        if ascii_forms:
            table[character] = ascii_forms[0]
    return table


def _plain_character(character: str) -> str:
    if character.isascii():
        return character
    category = unicodedata.category(character)
    if category == "Nd" or (category.startswith("N") and unicodedata.digit(character, None) is not None):
        return str(unicodedata.digit(character))
    if category == "Pd" or character in _MINUS:
        return "-"
    if character in _SLASHES:
        return "/"
    if category in {"Zs", "Zl", "Zp"}:
        return " "
    if category == "Cf":
        return ""  # zero-width spaces and joiners, bidi marks: invisible, so dropped
    return _latin_lookalikes().get(character, character)


def normalise(text: str) -> str:
    """The text as it would read in plain ASCII where it only looks different (NFKC, look-alikes, separators)."""
    return "".join(_plain_character(c) for c in unicodedata.normalize("NFKC", text))


# --- Patterns ----------------------------------------------------------------------------------

_MONTH = (
    r"(?<![a-z])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_JOIN = r"[\s\-/.,_\\]*"  # what may stand between a day, a month name and a year: 12-Mar-1961, 12Mar1961
# Day, month and year with the same separator twice, spaces allowed around it (12 / 03 / 1961,
# 12,03,1961, 12_03_1961), so that "Ca 2.6, 2.7" is not taken for a date.
_DATE = re.compile(
    rf"(?<!\d)\d{{1,4}}\s*([-/.,_\\])\s*\d{{1,2}}\s*\1\s*\d{{1,4}}(?!\d)"
    rf"|(?<!\d)\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}(?!\d)"
    rf"|(?<!\d)\d{{1,2}}\s+\d{{1,2}}\s+\d{{4}}(?!\d)"
    rf"|(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?{_JOIN}{_MONTH}(?:{_JOIN}\d{{2,4}}(?!\d))?"
    rf"|{_MONTH}{_JOIN}\d{{1,2}}(?:st|nd|rd|th)?(?!\d)"
    rf"|{_MONTH}{_JOIN}\d{{4}}(?!\d)",
    re.IGNORECASE,
)
_AT = r"\s*(?:@|\(\s*at\s*\)|\[\s*at\s*\]|\{\s*at\s*\}|<\s*at\s*>)\s*"
_DOT = r"\s*(?:\.|\(\s*dot\s*\)|\[\s*dot\s*\]|\{\s*dot\s*\})\s*"
_EMAIL = re.compile(
    rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+"
    r"|[\w.+-]+\s+at\s+[\w-]+(?:\s*(?:\.|\bdot\b)\s*[\w-]+)*\s*(?:\.|\bdot\b)\s*(?:com|org|net|edu|gov|nhs|uk|de|fr|nl|io)\b",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)\d{3,4}[\s.-]?\d{3,4}|\+\d[\d\s.-]{7,}\d|\b\d{3}[\s.-]\d{3,4}[\s.-]\d{4}\b"
)
_LONG_NUMBER = re.compile(r"(?:\d[\s.,_/\-]?){5,}\d")


def _spaced(word: str) -> str:
    """A word whose letters may be spelled apart: M.R.N., D O B, m_r_n."""
    return r"[\s._\-/]*".join(word)


_INTRODUCERS = ("dob", "mrn", "nhs", "ssn", "chi")
_INTRODUCER = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(_spaced(w) for w in _INTRODUCERS) + r")(?![a-z0-9])"
    r"|\b(?:born|date\s+of\s+birth|birth\s*date|record\s+(?:number|no)|hospital\s+(?:number|no)"
    r"|patient\s+(?:id|number)|medical\s+record|social\s+security|insurance\s+number)\b",
    re.IGNORECASE,
)

# --- Names -------------------------------------------------------------------------------------

_NAMES_DIR = Path(census_names.__file__).parent
MIN_NAME_LENGTH = 3  # "Al", "In", "Li" are listed given names and ordinary words
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam)\.?\s+[A-Z][a-z'’-]{1,}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@functools.cache
def _census(*files: str) -> frozenset[str]:
    found: set[str] = set()
    for file in files:
        for line in (_NAMES_DIR / file).read_text().splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return frozenset(found)


def _given(word: str) -> bool:
    return len(word) >= MIN_NAME_LENGTH and word.lower() in _census("dist.male.first", "dist.female.first")


def _surname(word: str) -> bool:
    return len(word) >= MIN_NAME_LENGTH - 1 and word.lower() in _census("dist.all.last")


def _title_case(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or word[1:].islower() or "'" in word or "-" in word)


def contains_person_name(text: str) -> bool:
    """A title-case given name then a listed surname, a surname then a given name, or a title then a name."""
    if _TITLE.search(text):
        return True
    words = [(m.group(), m.end(), m.start()) for m in _WORD.finditer(text)]
    for (first, first_end, _), (second, _, second_start) in zip(words, words[1:], strict=False):
        between = text[first_end:second_start]
        if not (_title_case(first) and _title_case(second)) or between.strip() not in {"", ","}:
            continue
        if between.strip() == "," and _surname(first) and _given(second):
            return True
        if between.strip() == "" and _given(first) and _surname(second):
            return True
    return False


# --- Checks ------------------------------------------------------------------------------------

IDENTIFIER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an e-mail address", _EMAIL),
    ("a date", _DATE),
    ("a phone number", _PHONE),
    ("a long number such as a record number", _LONG_NUMBER),
    ("a word that introduces an identifier", _INTRODUCER),
)
PERSON_NAME = "a person's name"


def identifier_problems(text: str) -> list[str]:
    """What in the text, once normalised, looks like a patient identifier; empty when nothing does."""
    plain = normalise(text)
    problems = [kind for kind, pattern in IDENTIFIER_PATTERNS if pattern.search(plain)]
    if contains_person_name(plain):
        problems.append(PERSON_NAME)
    return problems


def identifier_message(problems: list[str], what: str = "The label") -> str:
    return (
        f"{what} seems to contain {' and '.join(problems)}. What is stored here must not identify a patient "
        "or anyone else: no names, no dates (including dates of birth), record numbers, e-mail addresses "
        "or phone numbers, however they are spelled. Describe the case instead, e.g. “reading room 2, "
        "morning list”."
    )


def free_text_error(text: str, what: str = "The text") -> str | None:
    """The message for free text that may not be stored as it is, or None when it may.

    For every free text the app stores: labels, review notes, CDS override reasons.
    """
    problems = identifier_problems(text) if text else []
    return identifier_message(problems, what) if problems else None


# Earlier names, kept for the model validator and its migrations.
label_identifier_problems = identifier_problems
label_identifier_message = identifier_message
