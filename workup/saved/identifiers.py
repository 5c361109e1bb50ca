"""Stored free text must not carry patient identifiers: the app stores none (README).

Text is normalised before it is checked, so that look-alike spellings cannot slip through:
compatibility forms (NFKC: full-width letters and digits, circled digits), digits of any script,
Unicode look-alike letters (the confusables of Unicode TS #39, e.g. a Cyrillic М for M), and any
dash, space, slash or invisible character as a plain separator. Then dates, long numbers, e-mail
addresses, phone numbers, words that introduce an identifier, and person names are looked for.

Names are found with the US Census given-name and surname lists (shipped by the `names` package):
a given name followed by a listed surname ("John Smith", "JOHN SMITH", "Jean-Pierre Dupont"), a
listed surname and given name ("Smith, John", "Smith John"), an initial beside a listed surname
("J. Smith", "Smith J"), a title before a capitalised word ("Dr Patel", "Pt Smith"), any listed
pair in lower case when an age and sex ("58m") stand beside it, and two capitalised words in a row
that neither the census nor the app's own vocabulary knows ("Priya Raghunathan";
workup/saved/vocabulary.txt, written by scripts/vocabulary.py). A lone surname cannot be told from
an ordinary word and is not looked for.

Numbers are also read when spelled in words ("four eight two one"), with a letter O or I between
digits ("4821O73"), spaced or split ("4  8  2  1", "48219 / 73"), with Arabic separators, and dates
with a Roman-numeral month ("12III1961") or an ordinal in words ("March third, 1961").
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
_ARABIC_SEPARATORS = {"\u066b": ".", "\u066c": ",", "\u060c": ","}  # decimal, thousands, comma


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
    if character in _ARABIC_SEPARATORS:
        return _ARABIC_SEPARATORS[character]
    return _latin_lookalikes().get(character, character)


def normalise(text: str) -> str:
    """The text as it would read in plain ASCII where it only looks different (NFKC, look-alikes, separators)."""
    return "".join(_plain_character(c) for c in unicodedata.normalize("NFKC", text))


_NUMBER_WORDS = {
    "zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_ORDINAL_WORDS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
    "thirteenth": "13th", "fourteenth": "14th", "fifteenth": "15th", "sixteenth": "16th", "seventeenth": "17th",
    "eighteenth": "18th", "nineteenth": "19th", "twentieth": "20th", "thirtieth": "30th",
}
_NUMBER_WORD = re.compile(r"\b(?:twenty|thirty)[\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b"
                          r"|\b(?:" + "|".join([*_NUMBER_WORDS, *_ORDINAL_WORDS]) + r")\b", re.IGNORECASE)
_LETTER_DIGIT = re.compile(r"(?<=\d)[OoIl](?=\d)")


def _word_number(match: re.Match[str]) -> str:
    word = match.group().lower()
    if word[:6] in {"twenty", "thirty"}:
        return str(int(_ORDINAL_WORDS[word[7:]][:-2]) + (20 if word.startswith("twenty") else 30)) + "th"
    return _NUMBER_WORDS.get(word) or _ORDINAL_WORDS[word]


def numbers_read(text: str) -> str:
    """Normalised text with numbers spelled in words, and an O or I between digits, as digits."""
    text = _LETTER_DIGIT.sub(lambda m: "0" if m.group() in "Oo" else "1", text)
    return _NUMBER_WORD.sub(_word_number, text)


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
# A Roman-numeral month between a day and a year: 12.III.1961, 12 III 1961, 12III1961.
_ROMAN_DATE = re.compile(r"(?<!\d)\d{1,2}\s*[-/.]?\s*(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\s*[-/.]?\s*\d{2,4}(?!\d)")
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
# Six or more digits with at most one separator between two of them: a space or a run of spaces, a
# dot or comma without spaces (48,21,973), or a slash, dash or underscore with spaces or not
# (48219 / 73). "Ca 2.6, 2.7, 2.8" is three numbers, not one.
_LONG_NUMBER = re.compile(r"(?:\d(?:\s+|\s*[_/\-]\s*|[.,])?){5,}\d")


def _spaced(word: str) -> str:
    """A word whose letters may be spelled apart: M.R.N., D O B, m_r_n."""
    return r"[\s._\-/]*".join(word)


_INTRODUCERS = ("dob", "mrn", "nhs", "ssn", "chi")
_INTRODUCER = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(_spaced(w) for w in _INTRODUCERS) + r")(?![a-z0-9])"
    r"|\b(?:born|date\s+of\s+birth|birth\s*date|record\s+(?:number|no)|hospital\s+(?:number|no)"
    r"|patient\s+(?:id|number)|medical\s+record|social\s+security|insurance\s+number"
    r"|hosp(?:ital)?\.?\s*(?:no|num|number|id|#)|(?:no|num|#)\.?\s*\d{4,}|bed\s*\d+|room\s+\d+\s*bed)\b",
    re.IGNORECASE,
)

# --- Names -------------------------------------------------------------------------------------

_NAMES_DIR = Path(census_names.__file__).parent
MIN_NAME_LENGTH = 3  # "Al", "In", "Li" are listed given names and ordinary words
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Pt|PT|pt|Patient|patient)\.?\s+[A-Z][a-z'’-]{1,}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# An age with a sex, as a name is often followed: 58M, 58 m, 58yo F.
_AGE_SEX = re.compile(r"(?<![A-Za-z0-9])\d{1,3}\s?(?:y/?o\s?)?[MFmf](?![A-Za-z0-9])")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # JohnSmith: a word joined without a space


@functools.cache
def _vocabulary() -> frozenset[str]:
    return frozenset((Path(__file__).parent / "vocabulary.txt").read_text().split())


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


def _parts(word: str) -> list[str]:
    return [part for part in re.split(r"[-'’]", word) if part]


def _initial(word: str) -> bool:
    """A lone capital letter, with or without a full stop: the J in "J. Smith" or "Smith J"."""
    return len(word) == 1 and word.isupper()


def _name_pair(first: str, second: str, between: str, *, lower_too: bool) -> bool:
    """Whether two neighbouring words read as a person's name (see the module's docstring)."""
    gap = between.strip()
    if gap not in {"", ",", "."}:
        return False
    titled = _title_case(first) and _title_case(second)
    if gap == "." and not (_initial(first) and _title_case(second)):
        return False
    if _initial(first) and _title_case(second) and _surname(second) and len(second) > 2:
        return True  # J. Smith
    if _title_case(first) and _initial(second) and gap == "" and _surname(first) and len(first) > 2:
        return True  # Smith J
    if not titled and not (lower_too and first.islower() and second.islower()):
        return False
    if any(_given(part) for part in _parts(first)) and any(_surname(part) for part in _parts(second)) and gap != ",":
        return True  # John Smith, Jean-Pierre Dupont, Mohammed Al-Rashid (and john smith beside "58m")
    if titled and _surname(first) and _given(second):
        return True  # Smith, John / Smith John
    vocabulary = _vocabulary()
    return titled and gap == "" and not any(part.lower() in vocabulary for part in [*_parts(first), *_parts(second)])


def _title_words(text: str) -> str:
    """All-capital words of three letters or more in title case (JOHN SMITH → John Smith), words
    joined without a space apart (JohnSmith → John Smith), for the name checks only."""
    text = _CAMEL.sub(" ", text)
    return re.sub(r"\b[A-Z]{3,}\b", lambda m: m.group().title(), text)


def contains_person_name(text: str) -> bool:
    """A person's name as the module's docstring lists the ways it is found."""
    text = _title_words(text)
    if _TITLE.search(text):
        return True
    lower_too = bool(_AGE_SEX.search(text))
    words = [(m.group(), m.end(), m.start()) for m in _WORD.finditer(text)]
    for (first, first_end, _), (second, _, second_start) in zip(words, words[1:], strict=False):
        if _name_pair(first, second, text[first_end:second_start], lower_too=lower_too):
            return True
    return False


# --- Checks ------------------------------------------------------------------------------------

IDENTIFIER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an e-mail address", _EMAIL),
    ("a date", _DATE),
    ("a date", _ROMAN_DATE),
    ("a phone number", _PHONE),
    ("a long number such as a record number", _LONG_NUMBER),
    ("a word that introduces an identifier", _INTRODUCER),
)
PERSON_NAME = "a person's name"


def identifier_problems(text: str) -> list[str]:
    """What in the text, once normalised, looks like a patient identifier; empty when nothing does."""
    plain = normalise(text)
    numbers = numbers_read(plain)
    problems = list(dict.fromkeys(kind for kind, pattern in IDENTIFIER_PATTERNS
                                  if pattern.search(plain) or pattern.search(numbers)))
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
