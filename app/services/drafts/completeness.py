"""What a reviewer will ask of a card: a checklist template's items, judged before sending.

The automatic checks are the ones a review runs
(:mod:`countersign.services.reviews.checks`), over the card as the registry
would read it, with the format warnings its import would record.  Items with
no automatic check are the reviewer's judgement: they are listed as
``manual``, never as passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from countersign.formats.base import FormatWarning
from countersign.models.card import ModelCard
from countersign.models.checklist import ChecklistTemplate
from countersign.models.vocabulary import AnswerValue
from countersign.plain_files import read_plain
from countersign.services.reviews.checklists import (
    MAX_TEMPLATE_BYTES,
    built_in_templates,
    parse_template,
    split_template_reference,
)
from countersign.services.reviews.checks import run_check
from countersign.services.reviews.errors import TemplateNotFound, TemplateRefused

ItemState = Literal[AnswerValue.PASS, AnswerValue.FAIL, "manual"]

TemplateChoice = str | Path | ChecklistTemplate
"""A template: ``ID`` or ``ID@VERSION`` of a shipped one, a template file, or the template."""


@dataclass(frozen=True)
class ItemStatus:
    """One checklist item as the card stands: passed, failed (with the evidence) or manual."""

    item: str
    text: str
    required: bool
    state: ItemState
    evidence: str
    guidance: str = ""

    def as_json(self) -> dict[str, object]:
        """The item as the stable JSON of ``card check --json``."""
        return {
            "item": self.item,
            "text": self.text,
            "required": self.required,
            "state": self.state,
            "automatic": self.state != "manual",
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Completeness:
    """Every item of one template, judged over one card."""

    template: ChecklistTemplate
    items: tuple[ItemStatus, ...]

    @property
    def missing(self) -> list[ItemStatus]:
        """The items whose automatic check fails, required ones first."""
        failing = [status for status in self.items if status.state == AnswerValue.FAIL]
        return sorted(failing, key=lambda status: not status.required)

    @property
    def required_failing(self) -> list[ItemStatus]:
        """The required items whose automatic check fails: the card would be sent back."""
        return [status for status in self.missing if status.required]

    @property
    def manual(self) -> list[ItemStatus]:
        """The items the reviewer answers by judgement, with no automatic check."""
        return [status for status in self.items if status.state == "manual"]

    @property
    def passed(self) -> list[ItemStatus]:
        """The items whose automatic check passes."""
        return [status for status in self.items if status.state == AnswerValue.PASS]


def load_template(choice: TemplateChoice) -> ChecklistTemplate:
    """The template ``choice`` names: a shipped ``ID[@VERSION]``, a YAML file, or itself."""
    if isinstance(choice, ChecklistTemplate):
        return choice
    if isinstance(choice, Path) or str(choice).endswith((".yaml", ".yml", ".json")):
        return _template_file(Path(choice))
    template_id, version = split_template_reference(choice)
    found = [t for t in built_in_templates() if t.id == template_id]
    if version is not None:
        found = [t for t in found if t.version == version]
    if not found:
        known = ", ".join(sorted({t.reference for t in built_in_templates()}))
        raise TemplateNotFound(
            f"no shipped checklist template {choice!r}; the shipped ones are {known} "
            "(or give a template file)"
        )
    return max(found, key=lambda template: template.version)


def _template_file(path: Path) -> ChecklistTemplate:
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise TemplateRefused(path.name, "", "the file is larger than 1 MiB")
        data = read_plain(path)
    except OSError as error:
        raise TemplateRefused(str(path), "", f"cannot be read: {error.strerror}") from None
    return parse_template(data, path.name)


def judge(
    card: ModelCard, template: ChecklistTemplate, warnings: Sequence[FormatWarning] = ()
) -> Completeness:
    """Each item of ``template`` over ``card``, whose import would record ``warnings``."""
    recorded = [{"field": w.field, "message": w.message} for w in warnings]
    results = {
        item.id: run_check(item.check, card, recorded)
        for item in template.items
        if item.check is not None
    }
    statuses = []
    for item in template.items:
        result = results.get(item.id)
        if result is None:
            state: ItemState = "manual"
            evidence = "no automatic check: the reviewer judges this from the card"
        else:
            state, evidence = result.result, result.evidence
        statuses.append(
            ItemStatus(item.id, item.text, item.required, state, evidence, item.guidance)
        )
    return Completeness(template, tuple(statuses))
