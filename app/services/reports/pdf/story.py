"""The report's cover and the card's content as flowables, and the helpers every section shares.

Card text reaches the page only as :class:`~countersign.services.reports.pdf.layout.Span`
objects, never as markup (see :mod:`countersign.services.reports.pdf.layout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reportlab.platypus import PageBreak
from reportlab.platypus.flowables import Flowable, HRFlowable, Spacer

from countersign.formats.warning_place import place_in_words
from countersign.models.vocabulary import CardFormat, CardStatus, SignatureStatus, StageStatus
from countersign.services.diff.card_text import card_sections
from countersign.services.importing.model_files import signature_sentence
from countersign.services.reports.data import (
    ReportData,
    classification_sentence,
    decision_sentence,
    stage_headline,
)
from countersign.services.reports.pdf.escalations import cover_escalations
from countersign.services.reports.pdf.flowables import GRID, TextBlock, table
from countersign.services.reports.pdf.fonts import Style
from countersign.services.reports.pdf.layout import BlockStyle, Span
from countersign.services.reports.pdf.markdown import Block, blocks, clip
from countersign.services.reports.pdf.styles import (
    BANNER,
    BODY,
    CELL,
    CODE,
    CONTENT_WIDTH,
    H1,
    H2,
    SMALL,
    SUBTITLE,
    TITLE,
    bullet_style,
    heading_style,
)
from countersign.services.reviews.stages import StageState

SECTIONS = (
    "1. Card content",
    "2. Changes since the last approved version",
    "3. Checklist",
    "4. Signatures",
    "5. Audit trail of this card version",
    "6. Signature of this report",
)
"""The numbered sections after the cover, in order."""

STATUS_COLOURS: dict[str, tuple[float, float, float]] = {
    CardStatus.APPROVED: (0.86, 0.95, 0.87),
    CardStatus.CHANGES_REQUESTED: (1.0, 0.93, 0.82),
    CardStatus.REJECTED: (1.0, 0.87, 0.87),
    CardStatus.IN_REVIEW: (0.99, 0.96, 0.82),
    CardStatus.SUBMITTED: (0.99, 0.96, 0.82),
    CardStatus.SUPERSEDED: (0.92, 0.92, 0.93),
}
"""The background of the cover's status banner."""


def text(value: str, style: BlockStyle = BODY, bold: bool = False) -> TextBlock:
    """A block of plain text (shown exactly as given)."""
    return TextBlock((Span(value, "bold" if bold else "regular"),), style)


def spans(parts: Sequence[Span], style: BlockStyle = BODY) -> TextBlock:
    """A block of text in several styles."""
    return TextBlock(tuple(parts), style)


def heading(title: str, style: BlockStyle = H1) -> TextBlock:
    """A section heading (bold, kept with what follows)."""
    return TextBlock((Span(title, "bold"),), style)


def cell(
    value: str, *, bold: bool = False, mono: bool = False, style: BlockStyle = CELL
) -> TextBlock:
    """A table cell of plain text, cut to a length that always fits on a page."""
    kind: Style = "mono" if mono else "bold" if bold else "regular"
    return TextBlock((Span(clip(value), kind),), style)


def key_values(pairs: Sequence[tuple[str, str]], key_width: float = 120.0) -> Flowable:
    """A two-column table of labels and values."""
    rows = [
        [cell(key, bold=True), cell(value, mono=_looks_like_hash(value))]
        for key, value in pairs
        if value
    ]
    return table(rows, [key_width, CONTENT_WIDTH - key_width], header=False)


def _looks_like_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def cover(data: ReportData) -> list[Flowable]:
    """The cover: what was reviewed, its status and decision in words, who exported it."""
    story: list[Flowable] = [
        text("Model card review report", TITLE, bold=True),
        text(f"{data.model} — version {data.version}", SUBTITLE),
    ]
    story.append(_status_banner(data))
    story.append(Spacer(1, 12))
    story.append(key_values(_cover_facts(data)))
    story.append(Spacer(1, 14))
    story.append(heading("Contents", H2))
    story.extend(text(title, replace(BODY, space_after=1.0)) for title in SECTIONS)
    story.append(Spacer(1, 12))
    story.append(
        text(
            "This PDF is signed by the exporting officer (PAdES). The card (as canonical JSON) "
            "and every signed sign-off travel inside it as attached files, so the report can be "
            "checked without Countersign: any PDF reader shows whether the signature is intact, "
            "and `countersign verify` also checks each sign-off's signature and that the "
            "attached card has the SHA-256 printed at the foot of every page.",
            SMALL,
        )
    )
    story.append(PageBreak())
    return story


def _status_banner(data: ReportData) -> Flowable:
    """The stage headline (APPROVED, NOT APPROVED, REVOKED…) and the decision, in its colour."""
    headline = stage_headline(data)
    return table(
        [[[text(headline, BANNER, bold=True), text(decision_sentence(data), BODY)]]],
        [CONTENT_WIDTH],
        header=False,
        background=STATUS_COLOURS.get(
            CardStatus.REJECTED if headline.startswith(("REVOKED", "EXPIRED")) else data.status,
            (0.92, 0.92, 0.93),
        ),
        padding=8.0,
    )


def _cover_facts(data: ReportData) -> list[tuple[str, str]]:
    """What the cover lists: the card version, its stages and files, where it came from,
    who exported the report."""
    d = data.card.model_details
    summary = data.summary
    bundle = summary.bundle
    exporter = data.exporter
    return [
        ("Model", data.model),
        ("Version", data.version),
        ("Card title", d.name if d.name and d.name != data.model else ""),
        ("Team", data.team or "not stated"),
        ("Risk tier", classification_sentence(data)),
        ("Status", CardStatus.word(data.status)),
        (
            "Stages",
            "; ".join(_stage_words(st) for st in data.stages),
        ),
        (
            "Conditions",
            " ".join(f"({n}) {c}" for n, c in enumerate(_conditions(data.stages), start=1)),
        ),
        (
            "Model files",
            "\n".join(
                f"{a.get('name')} SHA-256 {a.get('sha256')}\n{signature_sentence(a)}"
                for a in data.artifacts
            )
            or "none named",
        ),
        ("Decision", decision_sentence(data)),
        ("Escalations", cover_escalations(data)),
        ("Card SHA-256", data.sha256),
        ("Source", f"{summary.original_name} ({CardFormat.word(summary.source_format)})"),
        ("Imported", f"{summary.imported_at} by {summary.imported_by}"),
        (
            "Bundle",
            (
                f"{bundle.file_name}, team {bundle.team}, "
                f"team signature {SignatureStatus.word(bundle.signature_status)}"
                + (f" ({bundle.signer_subject})" if bundle.signer_subject else "")
            )
            if bundle
            else "",
        ),
        ("Newest version", data.newest_version if data.newest_version != data.version else ""),
        ("Report exported", data.exported_at),
        (
            "Exporting officer",
            f"{exporter.name} <{exporter.email}>, {exporter.role}" if exporter else "not signed",
        ),
        ("Officer's certificate", exporter.fingerprint if exporter else ""),
    ]


def _stage_words(state: StageState) -> str:
    """``production: approved until 2027-03-31`` (or expired, revoked with its reason)."""
    words = f"{state.stage}: {StageStatus.word(state.status)}"
    if state.revoked_reason:
        return f"{words} ({state.revoked_reason})"
    if state.status == StageStatus.EXPIRED:
        return f"{words} (the approval held until {state.expires_on})"
    if state.status == StageStatus.APPROVED and state.expires_on:
        return f"{words} until {state.expires_on}"
    return words


def _conditions(states: Sequence[StageState]) -> list[str]:
    """Every condition the stages' approvals carry, each once."""
    found: list[str] = []
    for state in states:
        found.extend(c for c in state.conditions if c not in found)
    return found


def card_content(data: ReportData) -> list[Flowable]:
    """Section 1: every section of the card, metrics as tables, then the format warnings."""
    story: list[Flowable] = [heading(SECTIONS[0])]
    for section in card_sections(data.card):
        story.append(heading(section.title, H2))
        story.extend(markdown(section.text))
    if data.warnings:
        story.append(heading("Format warnings recorded at import", H2))
        if data.placeholder_sections:
            story.append(text(placeholder_sentence(data.placeholder_sections), bold=True))
        rows = [
            [
                cell("Where", bold=True),
                cell("Warning", bold=True),
                cell("Path in the file", bold=True),
            ]
        ]
        rows += [
            [
                cell(w.get("where") or place_in_words(w.get("field", ""))),
                cell(w.get("message", "")),
                cell(w.get("field", ""), mono=True),
            ]
            for w in data.warnings
        ]
        story.append(table(rows, [150.0, CONTENT_WIDTH - 280.0, 130.0]))
    return story


def placeholder_sentence(count: int) -> str:
    """The sentence that says how many sections were left as the template's placeholder."""
    sections = "section" if count == 1 else "sections"
    return (
        f"{count} {sections} left as the template's placeholder: "
        "read as empty, listed below with the word the template put there."
    )


def markdown(source: str) -> list[Flowable]:
    """The flowables of a piece of card Markdown."""
    out: list[Flowable] = []
    for block in blocks(source):
        out.extend(_block(block))
    return out


def _block(block: Block) -> list[Flowable]:
    if block.kind == "heading":
        return [
            TextBlock(
                tuple(replace(s, style="bold") for s in block.spans), heading_style(block.level)
            )
        ]
    if block.kind == "paragraph":
        whole = "".join(span.text for span in block.spans)
        if whole.startswith("*(from ") and whole.endswith(")*") and "\n" not in whole:
            # card_text's note of where an extra section came from, not the team's words
            return [text(whole[1:-1], SMALL)]
        return [TextBlock(block.spans, BODY)]
    if block.kind == "bullet":
        return [TextBlock(block.spans, bullet_style(block.level, block.marker))]
    if block.kind == "code":
        return [TextBlock((Span(block.text, "mono"),), CODE)]
    if block.kind == "rule":
        return [HRFlowable(width="100%", thickness=0.5, color=GRID, spaceBefore=2, spaceAfter=6)]
    if block.kind == "note":
        return [TextBlock(block.spans, SMALL)]
    columns = max(len(row) for row in block.rows)
    widths = _column_widths(block, columns)
    rows = [[TextBlock(cell_spans, CELL) for cell_spans in row] for row in block.rows]
    return [table(rows, widths), Spacer(1, 6)]


def _column_widths(block: Block, columns: int) -> list[float]:
    """Widths in proportion to each column's longest text (square-rooted), none too narrow."""
    longest = [1.0] * columns
    for row in block.rows:
        for number, cell_spans in enumerate(row):
            length = sum(len(s.text) for s in cell_spans)
            longest[number] = max(longest[number], min(length, 200) ** 0.5)
    total = sum(longest)
    floor = min(40.0, CONTENT_WIDTH / columns)
    widths = [max(floor, CONTENT_WIDTH * value / total) for value in longest]
    scale = CONTENT_WIDTH / sum(widths)
    return [w * scale for w in widths]
