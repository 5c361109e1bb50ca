"""The launch notice: what a SMART launch read from the record, kept with its draft and shown on the screen.

It has the CDS card's record sections (`cds.record_sections`: the labs read, the Patient, how results
were chosen, what was not used), said for a draft that is stored on the server, where nothing may
identify the patient (README): how old a result was when the workup was opened instead of its date,
the pathway input or the LOINC display name instead of an entry reference, no patient reference and
no birth date. Every sentence is a template of workup/pathway/wording.py (NOTICE_TEXT, CARD_TEXT,
RECORD_TEXT, INPUT_TEXT), so the rule-content hash covers it.
"""

from __future__ import annotations

import datetime as dt
import re

from workup.ehr import cds, fhir
from workup.ehr.fhir import parse_effective
from workup.pathway.inputs import INPUTS_BY_KEY
from workup.pathway.wording import RecordSentence, card_say, notice_say, record_say

# The inputs a launch fills from the record: the labs, and age and sex from the Patient.
RECORD_INPUTS: tuple[str, ...] = (*fhir.LAB_KEYS, "age", "sex")
# Fields of record sentences that hold a date from the record: said as an age relative to the opening.
DATE_FIELDS = frozenset({"effective", "kappa", "lam"})
# Record sentences whose fields name the patient or a day (a reference, the evaluation date): the
# notice says its own version, without those fields.
SAID_INSTEAD = {
    "another_subject": "instead_of_another_subject",
    "patient_another": "instead_of_patient_another",
    "age_from_birth_date": "instead_of_age_from_birth_date",
}
SEARCH_REF = re.compile(r"prefetch\.([a-z0-9_]+)")  # how cds.prefetched_observations names an entry
DAY = dt.timedelta(days=1)


def launch_notice_build(*, labs: cds.LabsFromPrefetch, opened_at: dt.datetime) -> dict[str, object]:
    """The notice for a launch's draft: its title, what it is, and the record sections that have lines."""
    sections = cds.record_sections(labs, NoticeVoice(opened_at))
    return {
        "title": notice_say("title"),
        "intro": notice_say("intro"),
        "toggle": notice_say("toggle"),
        "sections": [{"key": key, "title": card_say(key), "lines": lines} for key, lines in sections.items() if lines],
    }


def relative_age(when: dt.datetime | None, opened_at: dt.datetime) -> str:
    """How long before (or after) the opening a result was taken, in whole days; never its date."""
    if when is None:
        return card_say("lab_undated")
    after, days = when > opened_at, abs(when - opened_at) // DAY
    if days < 1:
        return notice_say("within_a_day")
    if days == 1:
        return notice_say("one_day_after" if after else "one_day_before")
    return notice_say("days_after" if after else "days_before", days=days)


class NoticeVoice:
    """The notice's voice (see cds.RecordVoice): plain text (the template escapes it), ages, no references."""

    def __init__(self, opened_at: dt.datetime):
        self.opened_at = opened_at

    def escape(self, text: object) -> str:
        return str(text)

    def sentence(self, sentence: str) -> str:
        """The record sentence again, its dates as ages and without a field that names the patient."""
        if not isinstance(sentence, RecordSentence):
            return str(sentence)
        values = {name: self._age(value) if name in DATE_FIELDS else value for name, value in sentence.values.items()}
        if sentence.key in SAID_INSTEAD:
            return notice_say(SAID_INSTEAD[sentence.key], **values)
        return str(record_say(sentence.key, **values))

    def when(self, result: fhir.LabResult) -> str:
        return relative_age(result.when, self.opened_at)

    def _age(self, effective: object) -> str:
        return relative_age(parse_effective(effective) if isinstance(effective, str) else None, self.opened_at)

    def set_aside(self, item: fhir.Skipped) -> str:
        """The reason; led by the search's input when the reason does not name the result's LOINC code."""
        reason = self.sentence(item.reason)
        if isinstance(item.reason, RecordSentence) and "display" in item.reason.values:
            return reason
        search = SEARCH_REF.match(item.ref)
        spec = INPUTS_BY_KEY.get(search.group(1)) if search else None
        return notice_say("line", label=spec.label, text=reason) if spec else reason

    def refused(self, key: str, result: fhir.LabResult | None, messages: list[str]) -> str:
        return notice_say("line", label=INPUTS_BY_KEY[key].label, text=" ".join(messages))

    def missing(self, labs: cds.LabsFromPrefetch) -> list[str]:
        """The inputs the launch could fill that are still empty on the screen."""
        empty = [INPUTS_BY_KEY[key].label for key in RECORD_INPUTS if key not in labs.inputs]
        return [notice_say("left_empty", labels=", ".join(empty))] if empty else []
