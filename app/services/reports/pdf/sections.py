"""Report sections 2 to 6: changes since the last approved version, checklist, signatures,
audit excerpt, and the box where the report's own signature appears.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reportlab.platypus import CondPageBreak
from reportlab.platypus.flowables import Flowable, Spacer

from countersign.models.vocabulary import CardStatus
from countersign.services.counting import counted
from countersign.services.diff.card_diff import CardDiff, FieldChange
from countersign.services.diff.diff_report import format_delta, summary_sentence
from countersign.services.diff.metric_diff import MetricChange
from countersign.services.diff.text_diff import DiffRow, TextDiff
from countersign.services.diff.word_diff import Span as CharSpan
from countersign.services.reports.attachments import payload_name, signature_name
from countersign.services.reports.data import (
    ChecklistRound,
    ReportData,
    SignOffRecord,
    decision_words,
)
from countersign.services.reports.pdf.controls import ANSWER_WORDS, controls_covered
from countersign.services.reports.pdf.escalations import round_story, signoff_rows
from countersign.services.reports.pdf.flowables import (
    SignatureBox,
    SignaturePlace,
    TextBlock,
    table,
)
from countersign.services.reports.pdf.layout import Span
from countersign.services.reports.pdf.story import SECTIONS, cell, heading, key_values, spans, text
from countersign.services.reports.pdf.styles import (
    BODY,
    CELL,
    CELL_SMALL,
    CONTENT_WIDTH,
    DIFF_LINE,
    H2,
    SMALL,
)
from countersign.services.reports.pdf.trend_charts import trend_story

DIFF_ROWS = 1_200
"""Rows of the whole-card text diff shown; past this the rest are counted."""

DIFF_CONTEXT = 2
"""Unchanged lines shown around each text change."""

VALUE_CHARS = 300
"""Characters of an old or new field value shown in the table of field changes."""

PAGE_THIRD = 240.0
"""Space a section needs left on a page to start there rather than on the next one."""


def section_start() -> list[Flowable]:
    """Room before a numbered section: a new page when less than a third of one is left."""
    return [CondPageBreak(PAGE_THIRD), Spacer(1, 14)]


def changes(data: ReportData) -> list[Flowable]:
    """Section 2: the structured summary and the text changes since the last approved version."""
    story: list[Flowable] = [*section_start(), heading(SECTIONS[1])]
    baseline = data.baseline
    if baseline is None:
        story.append(
            text(
                f"No approved version yet before version {data.version} of {data.model}: "
                "there is nothing to compare with."
            )
        )
        story.extend(_trends(data))
        return story
    diff = baseline.diff
    story.append(
        text(f"Compared with version {baseline.version}, approved (SHA-256 {baseline.sha256}).")
    )
    story.append(text(summary_sentence(diff), bold=True))
    if diff.sections:
        by_kind: dict[str, list[str]] = {}
        for section in diff.sections:
            by_kind.setdefault(section.kind, []).append(section.title)
        story.append(
            text(
                "Sections "
                + "; ".join(f"{kind}: {', '.join(titles)}" for kind, titles in by_kind.items())
                + "."
            )
        )
    if diff.fields:
        story.append(heading("Fields", H2))
        story.append(_fields_table(diff.fields))
    if diff.metrics:
        story.append(heading("Metrics", H2))
        story.append(_metrics_table(diff.metrics))
    story.extend(_text_changes(diff))
    story.extend(_trends(data))
    return story


def _trends(data: ReportData) -> list[Flowable]:
    """Each metric across the versions up to this one, charted."""
    charts, left_out = trend_story(data.trends)
    if not charts:
        return []
    story: list[Flowable] = [heading("Metric trends across the card versions", H2), *charts]
    if left_out:
        story.append(text(f"Not charted for room: {', '.join(left_out)}.", SMALL))
    return story


def _fields_table(fields: Sequence[FieldChange]) -> Flowable:
    rows: list[list[Any]] = [
        [cell(label, bold=True) for label in ("Field", "Change", "Before", "After")]
    ]
    for change in fields:
        rows.append(
            [
                cell(change.path, mono=True, style=CELL_SMALL),
                cell(change.kind),
                cell(_value(change.old) if change.kind != "added" else "—"),
                cell(
                    "(see the text changes below)"
                    if change.text is not None
                    else _value(change.new)
                    if change.kind != "removed"
                    else "—"
                ),
            ]
        )
    rest = CONTENT_WIDTH - 150.0 - 50.0
    return table(rows, [150.0, 50.0, rest / 2, rest / 2])


def _value(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= VALUE_CHARS else shown[: VALUE_CHARS - 1] + "…"


def _metrics_table(metrics: Sequence[MetricChange]) -> Flowable:
    rows: list[list[Any]] = [
        [cell(label, bold=True) for label in ("Metric", "Change", "Before", "After", "Delta")]
        + [cell("Verdict", bold=True)]
    ]
    for change in metrics:
        verdict = ""
        if change.kind == "changed":
            verdict = change.rule.verdict_words(change.verdict)
            others = [name for name in change.changed_fields if name != "value"]
            if others:
                verdict += f"; also changed: {', '.join(others)}"
        rows.append(
            [
                cell(change.key.label()),
                cell(change.kind),
                cell(change.old.value if change.old is not None else "—"),
                cell(change.new.value if change.new is not None else "—"),
                cell(format_delta(change.delta) if change.delta is not None else ""),
                cell(verdict),
            ]
        )
    return table(rows, [150.0, 50.0, 60.0, 60.0, 50.0, CONTENT_WIDTH - 370.0])


def _text_changes(diff: CardDiff) -> list[Flowable]:
    """The whole-card text diff, changed lines with their words marked, a little context."""
    text_diff = diff.text
    if text_diff is None or text_diff.identical:
        return []
    story: list[Flowable] = [
        heading("Text changes", H2),
        text(
            "The card as text, old lines marked − with deleted words on red, new lines marked + "
            "with inserted words on green.",
            SMALL,
        ),
    ]
    shown = 0
    previous_end = 0
    for number, (start, end) in enumerate(text_diff.changes):
        if shown >= DIFF_ROWS:
            left = len(text_diff.changes) - number
            story.append(
                text(
                    f"… {left} more changes are not shown here; `countersign diff` shows them all.",
                    SMALL,
                )
            )
            break
        first = max(start - DIFF_CONTEXT, previous_end)
        last = min(end + DIFF_CONTEXT, text_diff.row_count)
        if first > previous_end:
            story.append(text("⋯", DIFF_LINE))
        for row in text_diff.rows(first, last):
            story.extend(_diff_row(text_diff, row))
            shown += 1
        previous_end = last
    return story


def _diff_row(diff: TextDiff, row: DiffRow) -> list[Flowable]:
    if row.tag == "equal":
        return [_diff_line("  ", diff.left_text(row) or "", (), "")]
    out = []
    left, right = diff.left_text(row), diff.right_text(row)
    if left is not None:
        marks = row.left_spans if row.tag == "replace" else ((0, len(left)),)
        out.append(_diff_line("− ", left, marks, "deleted"))
    if right is not None:
        marks = row.right_spans if row.tag == "replace" else ((0, len(right)),)
        out.append(_diff_line("+ ", right, marks, "inserted"))
    return out


def _diff_line(prefix: str, line: str, marks: Sequence[CharSpan], mark: str) -> TextBlock:
    parts = [Span(prefix, "mono")]
    position = 0
    for start, end in marks:
        if start > position:
            parts.append(Span(line[position:start], "mono"))
        if end > start:
            parts.append(
                Span(line[start:end], "mono", "deleted" if mark == "deleted" else "inserted")
            )
        position = max(position, end)
    if position < len(line):
        parts.append(Span(line[position:], "mono"))
    return spans(parts, DIFF_LINE)


def checklist(data: ReportData) -> list[Flowable]:
    """Section 3: each review round's checklist with every answer, automatic evidence and note."""
    story: list[Flowable] = [*section_start(), heading(SECTIONS[2])]
    if not data.rounds:
        story.append(text("No review yet: nobody has answered the checklist of this card version."))
        if data.pending_checks:
            story.append(
                text(
                    f"The automatic checks of checklist {data.pending_template}, as of this report:"
                )
            )
            rows: list[list[Any]] = [
                [
                    cell("Item", bold=True),
                    cell("Required", bold=True),
                    cell("Automatic check", bold=True),
                ]
            ]
            for check in data.pending_checks:
                rows.append(
                    [
                        spans((Span(check.item_id, "mono"), Span("\n" + check.text)), CELL),
                        cell("required" if check.required else "optional"),
                        cell(
                            f"{check.automatic.result}: {check.automatic.evidence}"
                            if check.automatic
                            else "none (answered by the reviewer)"
                        ),
                    ]
                )
            story.append(table(rows, [220.0, 55.0, CONTENT_WIDTH - 275.0]))
        return story
    for number, checklist_round in enumerate(data.rounds, start=1):
        story.extend(_round(number, checklist_round))
    return story


def _round(number: int, checklist_round: ChecklistRound) -> list[Flowable]:
    review = checklist_round.review
    title = (
        f"Review {number}: {review.template_title} ({review.template_id}@{review.template_version})"
    )
    closed = f", closed {review.closed_at}" if review.closed_at else ""
    story: list[Flowable] = [
        heading(title, H2),
        text(
            f"Status {CardStatus.word(review.status)}: {review.approvals} of {counted(review.quorum, 'required approval')}; "
            f"opened {review.opened_at}{closed}."
        ),
        *round_story(checklist_round),
    ]
    rows: list[list[Any]] = [
        [cell("Item", bold=True), cell("Automatic check", bold=True), cell("Answers", bold=True)]
    ]
    for item_id, item_text, required in _round_items(checklist_round):
        automatic, answers = _item_answers(checklist_round, item_id)
        label = (Span(item_id, "mono"), Span(" (required)" if required else " (optional)"))
        rows.append(
            [
                spans((*label, Span("\n" + item_text)), CELL),
                cell(automatic or "none"),
                spans(tuple(answers) or (Span("no sign-off yet"),), CELL),
            ]
        )
    story.append(table(rows, [190.0, 120.0, CONTENT_WIDTH - 310.0]))
    comments = [r for r in checklist_round.signoffs if r.signature.comment]
    if comments:
        story.append(Spacer(1, 5))
    for record in comments:
        story.append(
            spans(
                (
                    Span(f"Comment of {record.signature.signer_name}: ", "bold"),
                    Span(record.signature.comment),
                ),
                BODY,
            )
        )
    story.append(Spacer(1, 6))
    story.extend(controls_covered(checklist_round))
    return story


def _round_items(checklist_round: ChecklistRound) -> list[tuple[str, str, bool]]:
    """The template's items (id, text, required), then any a sign-off answered that it lacks."""
    items: list[tuple[str, str, bool]] = []
    if checklist_round.template is not None:
        items = [(i.id, i.text, i.required) for i in checklist_round.template.items]
    known = {item_id for item_id, _, _ in items}
    for record in checklist_round.signoffs:
        for response in record.signature.responses:
            if response.item not in known:
                items.append((response.item, "(not in the template)", False))
                known.add(response.item)
    return items


def _item_answers(checklist_round: ChecklistRound, item_id: str) -> tuple[str, list[Span]]:
    """The item's automatic result as first recorded, and each signer's answer and note."""
    automatic = ""
    answers: list[Span] = []
    for record in checklist_round.signoffs:
        found = [r for r in record.signature.responses if r.item == item_id]
        if answers:
            answers.append(Span("\n"))
        name = record.signature.signer_name
        if not found:
            answers.append(Span(f"{name}: not answered"))
            continue
        response = found[0]
        if response.automatic and not automatic:
            automatic = f"{response.automatic}: {response.evidence}"
        answers.append(Span(f"{name}: ", "bold"))
        answers.append(Span(ANSWER_WORDS.get(response.answer, response.answer)))
        if response.note:
            answers.append(Span(f" — {response.note}"))
    return automatic, answers


def signatures(data: ReportData, embedded: Sequence[tuple[str, str]]) -> list[Flowable]:
    """Section 4: every sign-off, who signed, what, when, with which certificate, and whether
    its signature still verifies; then the files attached to this PDF."""
    story: list[Flowable] = [*section_start(), heading(SECTIONS[3])]
    records = data.signoffs
    if not records:
        story.append(text("No sign-offs: nobody has signed a decision on this card version."))
    for number, record in enumerate(records, start=1):
        story.extend(_signoff(number, len(records), record))
    story.append(heading("Files attached to this PDF", H2))
    rows: list[list[Any]] = [[cell("File", bold=True), cell("SHA-256", bold=True)]]
    rows += [[cell(name, mono=True), cell(digest, mono=True)] for name, digest in embedded]
    story.append(table(rows, [150.0, CONTENT_WIDTH - 150.0]))
    story.append(
        text(
            "Each sign-off-N.json holds the exact bytes its signer signed (ECDSA P-256, SHA-256); "
            "sign-off-N.sig is the DER signature and certificate-….pem the signer's certificate, "
            "so `openssl dgst -sha256 -verify` can check it too. card.json is the card version's "
            "canonical JSON.",
            SMALL,
        )
    )
    return story


def _signoff(number: int, count: int, record: SignOffRecord) -> list[Flowable]:
    """One sign-off, numbered within this report (the registry's ids name the attached files)."""
    s = record.signature
    verdict = (
        "valid: the signature verifies over the registry rows and the signer's certificate"
        if record.verified
        else f"INVALID: {record.problem}"
    )
    return [
        heading(f"Sign-off {number} of {count} — {decision_words(s.decision)}", H2),
        key_values(
            [
                ("Signer", f"{s.signer_name} <{s.signer_email}>"),
                ("Role", s.signer_role),
                ("Decision", decision_words(s.decision)),
                ("Signed at", s.signed_at),
                ("Certificate SHA-256", s.fingerprint),
                ("Comment", s.comment),
                ("Approval holds until", s.expires_on or ""),
                (
                    "Conditions",
                    " ".join(f"({n}) {c}" for n, c in enumerate(s.conditions, start=1)),
                ),
                *signoff_rows(record),
                ("Verification", verdict),
                ("Review", str(record.review_id)),
                ("Attached as", f"{payload_name(s.id)}, {signature_name(s.id)}"),
            ]
        ),
        Spacer(1, 4),
    ]


def audit(data: ReportData) -> list[Flowable]:
    """Section 5: the audit events about this card version, oldest first."""
    story: list[Flowable] = [*section_start(), heading(SECTIONS[4])]
    if data.audit_left_out:
        story.append(
            text(
                f"The {data.audit_left_out} oldest events are left out; `countersign audit "
                f"--model {data.model}` lists them all.",
                SMALL,
            )
        )
    if not data.audit:
        story.append(text("No audit events name this card version."))
    else:
        rows: list[list[Any]] = [
            [
                cell(label, bold=True, style=CELL_SMALL)
                for label in ("#", "Time (UTC)", "Who", "What happened")
            ]
        ]
        for line in data.audit:
            rows.append(
                [
                    cell(str(line.id), style=CELL_SMALL),
                    cell(line.at[:19].replace("T", " "), style=CELL_SMALL),
                    cell(line.actor, style=CELL_SMALL),
                    cell(line.text, style=CELL_SMALL),
                ]
            )
        story.append(table(rows, [26.0, 62.0, 105.0, CONTENT_WIDTH - 193.0]))
    return story


def report_signature(data: ReportData, place: SignaturePlace) -> list[Flowable]:
    """Section 6: who signs this PDF, and the box where the signature's appearance goes."""
    exporter = data.exporter
    story: list[Flowable] = [*section_start(), heading(SECTIONS[5])]
    if exporter is None:
        story.append(text("This copy is a preview and is not signed."))
        return story
    story.append(
        key_values(
            [
                ("Signed by", f"{exporter.name} <{exporter.email}>"),
                ("Role", exporter.role),
                ("Certificate SHA-256", exporter.fingerprint),
                ("Exported", data.exported_at),
                ("Card SHA-256", data.sha256),
                ("Signature", "PAdES baseline B-B, ECDSA P-256 with SHA-256, over the whole file"),
            ]
        )
    )
    story.append(SignatureBox(300.0, 70.0, place))
    return story
