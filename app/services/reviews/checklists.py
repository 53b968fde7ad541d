"""Checklist templates: the shipped ones, imported ones, storing and freezing them.

Templates ship as YAML in ``resources/checklists``; an officer can import
more.  Every template file is untrusted text: it is parsed with the bounded
loader of :mod:`countersign.formats.limits` and validated by
:class:`~countersign.models.checklist.ChecklistTemplate`, and a refusal names the file
and the field.  A template version lands in the registry when imported or
when a review first uses it; from that first use on it is frozen, so a change
must come as a new version.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.errors import InputRefused
from countersign.formats.limits import load_yaml_mapping
from countersign.models.card import canonical_json
from countersign.models.checklist import CHECK_KINDS, ChecklistTemplate, TemplateFieldError
from countersign.models.tables import ChecklistTemplateRecord
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.plain_files import read_plain
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.reviews.errors import TemplateFrozen, TemplateNotFound, TemplateRefused
from countersign.services.storage.database import Database, os_user, utc_now

MAX_TEMPLATE_BYTES = 1024 * 1024
"""A template file larger than this is refused (real ones are a few KiB)."""

BUILT_IN = "built-in"
"""The ``source`` of a template shipped with Countersign."""

ImportOutcome = Literal["imported", "unchanged", "replaced"]


@dataclass(frozen=True)
class TemplateInfo:
    """A template version and where it stands: shipped or imported, stored, frozen."""

    template: ChecklistTemplate
    source: str
    sha256: str
    stored: bool
    frozen: bool

    @property
    def reference(self) -> str:
        """``id@version``."""
        return self.template.reference


def template_sha256(template: ChecklistTemplate) -> str:
    """SHA-256 of the template's canonical JSON: what "the same template" means."""
    return hashlib.sha256(template_json(template).encode("utf-8")).hexdigest()


def template_json(template: ChecklistTemplate) -> str:
    """The template as canonical JSON, as the registry stores it.

    A template that names no stages, no validity or no choice, or an item that
    cites no framework clause, is stored as it was before templates could name
    them, so that its hash (what "the same template" means) did not change.
    """
    data = template.model_dump(mode="json")
    # Parts added later are left out when unused, so that older templates keep their hash.
    for key in ("stages", "validity_months", "by_choice", "escalations"):
        if not data.get(key):
            data.pop(key, None)
    for item in data["items"]:
        for key in ("references", "escalation"):
            if not item.get(key):
                item.pop(key, None)
    return canonical_json(data)


def parse_template(data: bytes, file: str) -> ChecklistTemplate:
    """Read a template file (YAML, or JSON which is YAML) or refuse it, naming file and field."""
    try:
        value = load_yaml_mapping(
            data,
            file,
            MAX_TEMPLATE_BYTES,
            too_big="the file is larger than 1 MiB; it is not a checklist",
            not_a_mapping="a checklist template is a mapping with id, version, title and items",
        )
    except InputRefused as refusal:
        raise TemplateRefused(file, refusal.field, refusal.reason) from None
    try:
        return ChecklistTemplate.model_validate(value)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        field = _field_path(problems[0])
        reasons = [f"{_field_path(p) or 'template'}: {_reason(p)}" for p in problems[:5]]
        more = f" (and {len(problems) - 5} more problems)" if len(problems) > 5 else ""
        first = _reason(problems[0]) if len(problems) == 1 else "; ".join(reasons)
        raise TemplateRefused(file, field if len(problems) == 1 else "", first + more) from None


def _field_path(problem: ErrorDetails) -> str:
    error = problem.get("ctx", {}).get("error")
    if isinstance(error, TemplateFieldError):
        return error.field
    out = ""
    location = problem["loc"]
    for index, part in enumerate(location):
        # A check's kind appears in the location as the union tag: not a key of the file.
        if (
            isinstance(part, str)
            and part in CHECK_KINDS
            and index
            and location[index - 1] == "check"
        ):
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    if problem["type"] in ("union_tag_invalid", "union_tag_not_found"):
        out += ".kind"
    return out


def _reason(problem: ErrorDetails) -> str:
    kind = problem["type"]
    given: Any = problem.get("input")
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        return "unknown key (a typo?); it is not part of a checklist template"
    if kind == "union_tag_invalid":
        tag = problem.get("ctx", {}).get("tag", "")
        return (
            f"unknown check kind {tag!r}; the kinds are {', '.join(CHECK_KINDS)} "
            "(checks are never code)"
        )
    if kind == "union_tag_not_found":
        return f"a check needs a kind: one of {', '.join(CHECK_KINDS)}"
    if kind == "literal_error" and str(problem["loc"][-1]) == "field":
        return f"{given!r} is not a card field a check can read"
    if kind == "literal_error" and str(problem["loc"][-1]) == "op":
        return f"unknown comparison {given!r}; a threshold's op is one of >=, >, <=, <"
    error = problem.get("ctx", {}).get("error")
    if kind == "value_error" and isinstance(error, ValueError):
        return str(error)
    message = str(problem["msg"]).removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else "invalid"


@cache
def built_in_templates() -> tuple[ChecklistTemplate, ...]:
    """The templates shipped in ``resources/checklists``, by id."""
    folder = importlib.resources.files("countersign.resources") / "checklists"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            found.append(parse_template(entry.read_bytes(), f"resources/checklists/{entry.name}"))
    return tuple(found)


def split_template_reference(reference: str) -> tuple[str, int | None]:
    """``ID`` or ``ID@VERSION`` into the id and the version (None: the newest)."""
    template_id, sep, version = reference.strip().rpartition("@")
    if not sep:
        return reference.strip(), None
    if not version.isdigit():
        raise TemplateNotFound(f"{reference!r}: a template version is a whole number (standard@2)")
    return template_id, int(version)


def resolve_template(session: Session, reference: str) -> TemplateInfo:
    """The template ``ID`` (newest version) or ``ID@VERSION``; the registry's copy wins."""
    template_id, version = split_template_reference(reference)
    candidates = {info.template.version: info for info in _infos(session, template_id)}
    if not candidates:
        known = sorted({info.template.id for info in _infos(session, None)})
        raise TemplateNotFound(
            f"no checklist template {template_id!r}; the templates are {', '.join(known)}"
        )
    chosen = max(candidates) if version is None else version
    if chosen not in candidates:
        versions = ", ".join(str(v) for v in sorted(candidates))
        raise TemplateNotFound(
            f"checklist template {template_id!r} has no version {version} (it has {versions})"
        )
    return candidates[chosen]


def default_template_ids(infos: list[TemplateInfo], tier: str) -> list[str]:
    """The ids of the templates for ``tier`` a review may start with unasked.

    Templates marked ``by_choice`` count only where no other template applies.
    """
    ids = sorted({i.template.id for i in infos if i.template.applies_to(tier)})
    unasked = sorted({i.template.id for i in infos if i.template.default_for(tier)})
    return unasked or ids


def all_templates(session: Session) -> list[TemplateInfo]:
    """Every template version, stored or shipped, by id then version."""
    return sorted(_infos(session, None), key=lambda info: (info.template.id, info.template.version))


def _infos(session: Session, template_id: str | None) -> list[TemplateInfo]:
    query = select(ChecklistTemplateRecord)
    if template_id is not None:
        query = query.where(ChecklistTemplateRecord.template_id == template_id)
    out: dict[tuple[str, int], TemplateInfo] = {}
    for row in session.scalars(query):
        template = ChecklistTemplate.model_validate_json(row.content_json)
        out[(row.template_id, row.version)] = TemplateInfo(
            template, row.source, row.sha256, stored=True, frozen=row.frozen_at is not None
        )
    for template in built_in_templates():
        if template_id is not None and template.id != template_id:
            continue
        key = (template.id, template.version)
        if key not in out:
            out[key] = TemplateInfo(
                template, BUILT_IN, template_sha256(template), stored=False, frozen=False
            )
    return list(out.values())


def use_template(session: Session, info: TemplateInfo, actor: str) -> ChecklistTemplateRecord:
    """In the caller's write transaction: store the template if needed and freeze it.

    Returns the stored row.  A stored copy whose content differs from
    ``info`` (changed since it was read) refuses, so a review never signs a
    template it did not show.
    """
    template = info.template
    row = _record(session, template.id, template.version)
    events: list[EventDraft] = []
    now = utc_now()
    if row is None:
        row = ChecklistTemplateRecord(
            template_id=template.id,
            version=template.version,
            title=template.title,
            content_json=template_json(template),
            sha256=info.sha256,
            source=info.source,
            stored_at=now,
            stored_by=actor,
            frozen_at=None,
        )
        session.add(row)
        session.flush()
        events.append(_event(AuditAction.CHECKLIST_STORED, row, actor))
    elif row.sha256 != info.sha256:
        raise TemplateFrozen(
            f"checklist template {template.reference} changed in the registry while it was "
            "open; reload it and review again"
        )
    if row.frozen_at is None:
        row.frozen_at = now
        events.append(_event(AuditAction.CHECKLIST_FROZEN, row, actor))
    append_events(session, events)
    return row


def _record(session: Session, template_id: str, version: int) -> ChecklistTemplateRecord | None:
    return session.scalar(
        select(ChecklistTemplateRecord).where(
            ChecklistTemplateRecord.template_id == template_id,
            ChecklistTemplateRecord.version == version,
        )
    )


def _event(action: AuditAction, row: ChecklistTemplateRecord, actor: str) -> EventDraft:
    return EventDraft(
        action,
        AuditObject.CHECKLIST_TEMPLATE,
        f"{row.template_id}@{row.version}",
        actor,
        {"title": row.title, "sha256": row.sha256, "source": row.source},
    )


class Checklists:
    """The checklist templates of one registry, for the command line and the window."""

    def __init__(self, database: Database, actor: str | None = None) -> None:
        self.database = database
        self.actor = actor or os_user()

    def list_templates(self) -> list[TemplateInfo]:
        """Every template version, shipped or stored, by id then version."""
        with self.database.read() as session:
            return all_templates(session)

    def get(self, reference: str) -> TemplateInfo:
        """The template ``ID`` (its newest version) or ``ID@VERSION``."""
        with self.database.read() as session:
            return resolve_template(session, reference)

    def import_file(self, path: Path) -> tuple[TemplateInfo, ImportOutcome]:
        """Validate and store a template file; a changed frozen version is refused."""
        try:
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateRefused(path.name, "", "the file is larger than 1 MiB")
            data = read_plain(path)
        except OSError as error:
            raise TemplateRefused(path.name, "", f"cannot be read: {error.strerror}") from None
        template = parse_template(data, path.name)
        digest = template_sha256(template)
        with self.database.write() as session:
            row = _record(session, template.id, template.version)
            if row is not None and row.sha256 == digest:
                return TemplateInfo(
                    template, row.source, digest, True, row.frozen_at is not None
                ), ("unchanged")
            if row is not None and row.frozen_at is not None:
                raise TemplateFrozen(
                    f"{path.name}: checklist template {template.reference} is frozen: reviews "
                    f"have used it since {row.frozen_at[:10]}, so it cannot change. Give the "
                    f"changed template a new version (version: {template.version + 1}); "
                    "nothing was imported"
                )
            outcome: ImportOutcome = "imported" if row is None else "replaced"
            if row is None:
                row = ChecklistTemplateRecord(
                    template_id=template.id,
                    version=template.version,
                    stored_at=utc_now(),
                    stored_by=self.actor,
                    frozen_at=None,
                )
                session.add(row)
            row.title = template.title
            row.content_json = template_json(template)
            row.sha256 = digest
            row.source = path.name
            session.flush()
            action = (
                AuditAction.CHECKLIST_IMPORTED
                if outcome == "imported"
                else AuditAction.CHECKLIST_REPLACED
            )
            append_events(session, [_event(action, row, self.actor)])
            return TemplateInfo(template, path.name, digest, True, False), outcome
