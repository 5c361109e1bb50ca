"""The numbered headings of the pathway spec, and the section that states each rule of the table.

The spec itself lives beside the repository (../shared/pathway/SPEC.md), so the package keeps its
own copy of the heading numbers: each golden case names the sections it checks (golden.json
"spec"), and tests/pathway/test_golden_spec.py holds those names to this list and this list to the
spec's headings whenever the file is there.
"""

from __future__ import annotations

from types import MappingProxyType

from .wording import RuleKind

SPEC_SECTIONS: tuple[str, ...] = (
    "1",
    "2", "2.1", "2.2", "2.3", "2.4", "2.5",
    "3",
    "4", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6",
    "5", "5.1", "5.2", "5.3",
    "6", "6.1", "6.2", "6.3",
    "7", "8", "9", "10", "11",
)

# SPEC §4 gives each kind of rule its own subsection; the criteria are §10.
KIND_SECTIONS = MappingProxyType({
    RuleKind.TRIGGER: "4.1",
    RuleKind.URGENT: "1",
    RuleKind.DEFERRAL: "4.2",
    RuleKind.IMAGING: "4.3",
    RuleKind.FOLLOW_UP: "4.4",
    RuleKind.PITFALL: "4.5",
    RuleKind.MRI: "4.6",
    RuleKind.CRITERION: "10",
})

# Warnings are stated where their subject is: scope guards in §1, the entered-ratio check beside the
# FLC ratio in §2.2, the notes on unusual values with plausibility in §2.4.
WARNING_SECTIONS = MappingProxyType({
    "SCOPE-PEDIATRIC": "1",
    "SCOPE-FOCAL": "1",
    "SCOPE-KNOWN-CAUSE": "1",
    "SCOPE-PREGNANCY": "1",
    "WARN-GCSF-OR-ESA": "2.3",
    "WARN-IMMUNOPARESIS-REPORTED": "2.2",
    "WARN-FLC-RATIO-DISCREPANCY": "2.2",
    "WARN-B2M-HIGH": "2.4",
    "WARN-FLC-RATIO-EXTREME": "2.4",
})


def rule_section(rule_id: str, kind: RuleKind) -> str:
    """The spec section that states the rule `rule_id` of kind `kind`."""
    return WARNING_SECTIONS[rule_id] if kind is RuleKind.WARNING else KIND_SECTIONS[kind]
