"""What an import would do, as the preview shows it: wording and item models.

Plain words for outcomes, signatures and refusals, and two thin table
models over the plans that :class:`countersign.services.importing.importer.Importer` computed:
the files of an import and the cards of one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from countersign.models.safe_text import display_text
from countersign.models.vocabulary import (
    CardFormat,
    CardOutcome,
    ModelFileSignature,
    SignatureStatus,
)
from countersign.services.importing.importer import ImportPlan, PlannedCard
from countersign.services.importing.model_files import (
    signature_sentence,
    signed_by_team,
    team_signature,
)
from countersign.views.appearance.colours import BAD, GOOD
from countersign.views.widgets.list_table import ListTableModel

_OUTCOME_TEXT: dict[str, str] = {
    CardOutcome.NEW_MODEL: "New model",
    CardOutcome.NEW_VERSION: "New version",
    CardOutcome.UNCHANGED: "Unchanged: already in the registry",
}
_SIGNATURE_TEXT = {
    SignatureStatus.VALID: "Valid team signature",
    SignatureStatus.ABSENT: SignatureStatus.ABSENT.label.capitalize(),
    "n/a": "None (loose card file)",
}


def outcome_text(card: PlannedCard) -> str:
    """What will happen to one card, in words."""
    if card.outcome == CardOutcome.REFUSED:
        return f"Refused: {card.reason}"
    return _OUTCOME_TEXT.get(card.outcome, card.outcome)


def signature_text(plan: ImportPlan) -> str:
    """The bundle's team signature, in words (with the signer when it is valid)."""
    if plan.kind == "bundle" and plan.bundle is None:
        return "Not checked: the bundle was refused"
    text = _SIGNATURE_TEXT.get(plan.signature_status, plan.signature_status)
    if (
        plan.signature_status == SignatureStatus.VALID
        and plan.bundle
        and plan.bundle.signer_subject
    ):
        text += f": {plan.bundle.signer_subject}"
    return text


def refusal_reason(plan: ImportPlan) -> str:
    """Why ``plan`` is refused, without the file name it starts or ends with."""
    reason = plan.reason()
    prefix = f"{plan.source.name}: "
    suffix = f"; nothing from {plan.source.name} was imported"
    reason = reason[len(prefix) :] if reason.startswith(prefix) else reason
    return reason[: -len(suffix)] if reason.endswith(suffix) else reason


def cards_title(plan: ImportPlan) -> str:
    """The heading over the cards of one file: where they come from and who vouches."""
    name = plan.source.name
    if plan.refusal:
        return f"{name} was refused before its cards could be read"
    if plan.kind == "card":
        team = f"for team {plan.team}" if plan.team else "no team, no team signature"
        return f"The card in {name} (a loose card file: {team})"
    team = f"team {plan.team}" if plan.team else "no team named"
    if plan.signature_status == SignatureStatus.VALID:
        signer = plan.bundle.signer_subject if plan.bundle else None
        signed = f"signed by {signer}" if signer else "signed"
    else:
        signed = "not signed"
    return f"Cards in {name} ({team}; {signed})"


def refusal_details(plan: ImportPlan) -> str:
    """Everything about a refusal, for the officer to copy into a ticket or an e-mail."""
    lines = [
        f"File: {plan.source}",
        f"Kind: {'card bundle' if plan.kind == 'bundle' else 'card file'}",
        f"SHA-256: {plan.file_sha256 or 'unknown'}",
        f"Team: {plan.team or 'not stated'}",
        f"Reason: {plan.reason()}",
    ]
    lines += [f"Card {c.file}: {c.reason}" for c in plan.cards if c.outcome == CardOutcome.REFUSED]
    lines.append(
        "Nothing from this file was added to the registry; the refusal is in the audit trail."
    )
    return "\n".join(lines)


@dataclass
class FileEntry:
    """One file of the import: its plan and, once Import has run, what became of it."""

    plan: ImportPlan
    result: str = ""
    """What happened to the file once Import ran, in a few words (empty before)."""
    landed: bool = False

    @property
    def new_versions(self) -> int:
        """How many card versions of this file are new to the registry."""
        return sum(c.outcome.adds_a_version for c in self.plan.cards)

    def status(self) -> str:
        """The file's line in the preview: what will happen, or what happened."""
        if self.landed:
            return f"Imported {card_versions(self.new_versions)}"
        if self.result:
            return f"Not imported: {self.result}"
        if self.plan.refused:
            return "Refused: nothing will be imported"
        if not self.new_versions:
            return "Nothing new: already in the registry"
        return f"Will add {card_versions(self.new_versions)}"


def card_versions(count: int) -> str:
    """``count`` card version(s), in words."""
    return f"{count} card version{'s' if count != 1 else ''}"


class FilePlanModel(ListTableModel[FileEntry]):
    """The files of an import, one row each: kind, team, signature and status."""

    HEADERS = ("File", "Kind", "Team", "Team signature", "Cards", "Status")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.HEADERS, parent)

    def set_entries(self, entries: list[FileEntry]) -> None:
        """Show these files."""
        self.set_rows(entries)

    def entry(self, row: int) -> FileEntry:
        """The file shown in ``row``."""
        return self.item(row)

    def cell(self, entry: FileEntry, column: int, role: int) -> Any:
        """Cell text; the file's path and the whole status as tooltips; refusals in red."""
        plan = entry.plan
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                display_text(plan.source.name),
                "Card bundle" if plan.kind == "bundle" else "Card file",
                display_text(plan.team) or "—",
                signature_text(plan),
                str(len(plan.cards)),
                entry.status(),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {0: str(plan.source), 3: signature_text(plan), 5: entry.status()}
            return tips.get(column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 5:
            if plan.refused or (entry.result and not entry.landed):
                return BAD.on()
            return GOOD.on() if entry.landed else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return Qt.AlignmentFlag.AlignCenter
        return None


class CardPlanModel(ListTableModel[PlannedCard]):
    """The cards of one file and what will happen to each."""

    HEADERS = (
        "File",
        "Model",
        "Version",
        "Format",
        "What will happen",
        "Warnings",
        "Model files signed by the team",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.HEADERS, parent)

    def set_cards(self, cards: list[PlannedCard]) -> None:
        """Show these cards."""
        self.set_rows(cards)

    def card(self, row: int) -> PlannedCard:
        """The card shown in ``row``."""
        return self.item(row)

    def cell(self, card: PlannedCard, column: int, role: int) -> Any:
        """Cell text; the file and the whole outcome as tooltips; refusals in red."""
        if role == Qt.ItemDataRole.DisplayRole:
            source = card.read.source_format if card.read else ""
            return (
                display_text(card.file),
                display_text(card.model),
                display_text(card.version),
                CardFormat.word(source),
                outcome_text(card),
                str(len(card.warnings)),
                signed_by_team(card.artifacts),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 4, 6):
            return (card.file, outcome_text(card), _model_files_text(card))[(0, 4, 6).index(column)]
        if role == Qt.ItemDataRole.ForegroundRole and column == 6:
            return _signature_colour(card)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and card.outcome == CardOutcome.REFUSED
            and column == 4
        ):
            return BAD.on()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 5:
            return Qt.AlignmentFlag.AlignCenter
        return None


def _model_files_text(card: PlannedCard) -> str:
    """The model files a card names, each with its SHA-256 and whether the team signed it."""
    if not card.artifacts:
        return "The card names no model files."
    lines = ["Model files:"]
    lines += [
        f"• {display_text(str(a.get('name')))}  SHA-256 {a.get('sha256')}  "
        f"— {signature_sentence(a)}"
        for a in card.artifacts
    ]
    return "\n".join(lines)


def _signature_colour(card: PlannedCard) -> QColor | None:
    statuses = {team_signature(a) for a in card.artifacts}
    if ModelFileSignature.FAILED in statuses:
        return BAD.on()
    return GOOD.on() if statuses == {ModelFileSignature.VERIFIED} else None


def card_details_text(card: PlannedCard) -> str:
    """Everything the officer should know about one card before it lands."""
    lines = [f"{card.file}: {card.model} {card.version} — {outcome_text(card)}"]
    if card.sha256:
        lines.append(f"Card SHA-256: {card.sha256}")
    if card.attachments:
        lines.append(f"Attachments: {', '.join(a.path for a in card.attachments)}")
    if card.artifacts:
        lines.append(_model_files_text(card))
    if card.warnings:
        lines.append(
            f"\n{len(card.warnings)} format warning{'s' if len(card.warnings) != 1 else ''}:"
        )
        lines += [
            f"• {w.place}: {w.message}" + (f"  [{w.field}]" if w.place != w.field else "")
            for w in card.warnings
        ]
    else:
        lines.append("\nNo format warnings.")
    return "\n".join(lines)
