"""The report's "controls covered" table: each framework clause a review's checklist cites.

A checklist item may cite the clauses it evidences (EU AI Act articles and
Annex IV points, NIST AI RMF categories, ISO/IEC 42001 Annex A controls,
SR 11-7).  For each clause, in the order of the frameworks, the table lists
the items citing it with every signer's answer and the evidence behind it: the
automatic check's finding, as first recorded, and the signer's note.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus.flowables import Flowable

from countersign.models.checklist import FRAMEWORK_NAMES, ChecklistItem, ClauseRef, Framework
from countersign.models.vocabulary import AnswerValue
from countersign.services.reports.data import ChecklistRound
from countersign.services.reports.pdf.flowables import table
from countersign.services.reports.pdf.layout import Span
from countersign.services.reports.pdf.story import cell, heading, spans, text
from countersign.services.reports.pdf.styles import CELL_SMALL, CONTENT_WIDTH, H2

ANSWER_WORDS: dict[str, str] = {
    AnswerValue.PASS: AnswerValue.PASS.label,
    AnswerValue.FAIL: AnswerValue.FAIL.label.upper(),  # a failed item must catch the eye
    AnswerValue.NA: AnswerValue.NA.label,
}

_FRAMEWORK_ORDER: dict[Framework, int] = {
    "eu-ai-act": 0,
    "nist-ai-rmf": 1,
    "iso-42001": 2,
    "sr-11-7": 3,
}

EVIDENCE_CHARS = 120
"""Characters of an automatic check's evidence shown in a row (the checklist table has it all)."""

WIDTHS = (92.0, 120.0, 52.0, CONTENT_WIDTH - 92.0 - 120.0 - 52.0 - 78.0, 78.0)
"""Reference, item, answer, evidence, signer."""


def controls_covered(checklist_round: ChecklistRound) -> list[Flowable]:
    """The "Controls covered" table of one review round; nothing when its items cite no clause."""
    template = checklist_round.template
    if template is None or not template.references():
        return []
    cited: dict[ClauseRef, list[ChecklistItem]] = {}
    for item in template.items:
        for ref in item.references:
            cited.setdefault(ref, []).append(item)
    rows: list[list[Any]] = [
        [cell(label, bold=True) for label in ("Reference", "Item", "Answer", "Evidence", "Signer")]
    ]
    for ref in sorted(cited, key=_clause_order):
        for item in cited[ref]:
            rows.append([cell(ref.label()), *_item_cells(checklist_round, item)])
    frameworks = sorted({ref.framework for ref in cited}, key=_FRAMEWORK_ORDER.__getitem__)
    names = ", ".join(FRAMEWORK_NAMES[framework] for framework in frameworks)
    return [
        heading("Controls covered", H2),
        text(
            f"The {len(cited)} clauses of {names} that the items of {template.reference} cite, "
            "with each signer's answer and the evidence behind it."
        ),
        table(rows, WIDTHS),
    ]


def _clause_order(ref: ClauseRef) -> tuple[int, list[tuple[int, str]]]:
    """Framework order, then the clause with its numbers compared as numbers (Art. 9 < Art. 10)."""
    parts: list[tuple[int, str]] = []
    number = ""
    for char in ref.clause + " ":
        if char.isdigit():
            number += char
            continue
        if number:
            parts.append((int(number), ""))
            number = ""
        parts.append((-1, char))
    return _FRAMEWORK_ORDER[ref.framework], parts


def _item_cells(checklist_round: ChecklistRound, item: ChecklistItem) -> list[Any]:
    answers: list[str] = []
    evidence: list[Span] = []
    signers: list[str] = []
    for record in checklist_round.signoffs:
        found = [r for r in record.signature.responses if r.item == item.id]
        name = record.signature.signer_name
        signers.append(name)
        if not found:
            answers.append("not answered")
            continue
        response = found[0]
        answers.append(ANSWER_WORDS.get(response.answer, response.answer))
        if response.automatic and not evidence:
            shown = response.evidence
            if len(shown) > EVIDENCE_CHARS:  # the checklist table above shows it whole
                shown = shown[: EVIDENCE_CHARS - 1].rstrip() + "…"
            evidence.append(Span(f"automatic {response.automatic}: {shown}"))
        if response.note:
            evidence.extend(_joined(evidence, Span(f"{name}: ", "bold"), Span(response.note)))
    if not signers:
        return [
            spans((Span(item.id, "mono"),), CELL_SMALL),
            cell("no sign-off yet"),
            cell(""),
            cell(""),
        ]
    return [
        spans((Span(item.id, "mono"),), CELL_SMALL),
        cell("\n".join(answers)),
        spans(tuple(evidence) or (Span("—"),), CELL_SMALL),
        cell("\n".join(signers)),
    ]


def _joined(before: Sequence[Span], *parts: Span) -> list[Span]:
    return [Span("\n"), *parts] if before else list(parts)
