"""One audit event in words: the one formatter the audit window, History tab and report use.

:func:`describe` says what happened in a sentence an officer reads without
knowing the registry's codes or ids ("Card version 3.1 of acme/scorer
imported from bundle risk.cardbundle"); :func:`action_label` names the kind
of event; :func:`details_summary` shows the stored details on one short line
for a tooltip.  An action this version does not know still reads as words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from countersign.models.vocabulary import (
    AuditAction,
    AuditObject,
    CardFormat,
    CardStatus,
    Decision,
    IdentitySource,
    Role,
    SignatureStatus,
)
from countersign.services.audit.records import AuditRecord
from countersign.services.counting import counted

SUMMARY_LENGTH = 140
"""Characters of a one-line details summary; longer ones are cut with an ellipsis."""

_LISTED_CARDS = 3
"""A bundle event names its cards up to this many, and counts them beyond."""


def action_label(action: str) -> str:
    """The kind of event in words ("Card version imported"), for a column or a filter."""
    if AuditAction.known(action):
        return AuditAction(action).label
    return _cap(AuditAction.word(action))


def describe(record: AuditRecord, *, within_model: bool = False) -> str:
    """What the event records, in one sentence of the officer's words.

    ``within_model`` leaves the model's name out of a card version ("card version
    3.1" rather than "card version 3.1 of acme/scorer") where the screen already
    names the model, as a model's History tab does.
    """
    if within_model and record.action != AuditAction.MODEL_CREATED:
        record = replace(record, model_name="")
    if AuditAction.known(record.action):
        return _SENTENCES[AuditAction(record.action)](record)
    return f"{action_label(record.action)}: {object_words(record)}"


def describe_in_trail(record: AuditRecord, *, within_model: bool = False) -> str:
    """:func:`describe`, work merged from another registry marked first with the event that
    merged it ("Merged by event 17: …"), as a model's History tab, the Audit trail window and
    a report's audit excerpt list it."""
    merged = f"Merged by event {record.merged_by}: " if record.merged_by is not None else ""
    return merged + describe(record, within_model=within_model)


def object_words(record: AuditRecord) -> str:
    """What the event is about, in words: "card version 3.1 of acme/scorer", "bundle x.cardbundle"."""
    kind = record.object_type
    version = _text(record.details, "version")
    if kind == AuditObject.CARD_VERSION and version:
        return _card_version(record, version)
    if kind == AuditObject.MODEL and record.model_name:
        return f"model {record.model_name}"
    if kind == AuditObject.BUNDLE:
        return f"bundle {record.bundle_file or _text(record.details, 'file') or _short(record.object_id)}"
    if kind == AuditObject.REVIEW and version:
        return f"review round of {_card_version(record, version)}"
    if kind == AuditObject.SIGNATURE:
        signer = _text(record.details, "signer") or record.actor
        return f"sign-off by {signer}" if signer else "sign-off"
    if kind == AuditObject.IDENTITY:
        email = _text(record.details, "email")
        return f"identity {email}" if email else f"identity {_short(record.object_id)}"
    if kind == AuditObject.CHECKLIST_TEMPLATE:
        return f"checklist template {record.object_id}"
    if kind == AuditObject.METRIC_POLICY:
        return f"metric policy {record.object_id}"
    return f"{AuditObject.word(kind)} {_short(record.object_id)}".strip()


def details_summary(details: Mapping[str, Any]) -> str:
    """The stored details on one short line: ``key: value`` pairs, long values cut."""
    parts: list[str] = []
    for key, value in details.items():
        if value is None or value == "":
            continue  # an empty field says nothing in a one-line summary
        if isinstance(value, list):
            shown = f"{len(value)} item{'s' if len(value) != 1 else ''}"
        elif isinstance(value, dict):
            shown = "{…}"
        else:
            shown = _short(str(value))
        parts.append(f"{key}: {shown}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


# -- one sentence per action ----------------------------------------------------------


def _model_created(record: AuditRecord) -> str:
    facts = [
        f"team {team}" if (team := _text(record.details, "team")) else "",
        f"risk tier {tier}" if (tier := _text(record.details, "risk_tier")) else "",
    ]
    return f"Model {record.model_name or _short(record.object_id)} created" + _bracket(facts)


def _bundle_imported(record: AuditRecord) -> str:
    details = record.details
    name = record.bundle_file or _text(details, "file") or _short(record.object_id)
    team = _text(details, "team")
    signature = _text(details, "signature")
    signer = _text(details, "signer")
    if signature == SignatureStatus.VALID:
        signed = f"signed by {signer}" if signer else "team signature valid"
    else:
        signed = SignatureStatus.word(signature) if signature else ""
    cards = details.get("cards")
    listed = ""
    if isinstance(cards, list):
        named = [
            f"{card.get('model', '?')} {card.get('version', '?')}"
            for card in cards
            if isinstance(card, dict)
        ]
        if len(named) > _LISTED_CARDS:
            listed = f": {counted(len(named), 'card')}"
        elif named:
            listed = ": " + ", ".join(named)
    source = f" from team {team}" if team else ""
    return f"Bundle {name} imported{source}" + _bracket([signed]) + listed


def _card_version_imported(record: AuditRecord) -> str:
    details = record.details
    file = _text(details, "file")
    fmt = _text(details, "source_format")
    shown_format = CardFormat.word(fmt) if fmt else ""
    if record.bundle_file:
        source = f" from bundle {record.bundle_file}"
        facts = [f"card {file}" if file else "", shown_format]
    else:
        source = f" from {file}" if file else ""
        facts = [shown_format]
    warnings = details.get("warnings")
    if isinstance(warnings, int) and warnings:
        facts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{_cap(_subject(record))} imported{source}" + _bracket(facts)


def _card_version_superseded(record: AuditRecord) -> str:
    by = _text(record.details, "by_version")
    return f"{_cap(_subject(record))} superseded" + (f" by version {by}" if by else "")


def _status_changed(record: AuditRecord) -> str:
    before = _text(record.details, "from")
    after = _text(record.details, "to")
    change = f" from {CardStatus.word(before)}" if before else ""
    change += f" to {CardStatus.word(after)}" if after else ""
    return f"{_cap(_subject(record))} changed status{change}"


def _published(record: AuditRecord) -> str:
    folder = _text(record.details, "folder")
    files = record.details.get("files")
    count = f" ({counted(len(files), 'file')})" if isinstance(files, dict) and files else ""
    where = f" to folder {folder}" if folder else ""
    return f"{_cap(_subject(record))} published{where}{count}"


def _attested(record: AuditRecord) -> str:
    stage = _text(record.details, "stage")
    file = _text(record.details, "file")
    what = (
        f"{_cap(_subject(record))}: approval for {stage} attested" if stage else "Approval attested"
    )
    return what + (f" in {file}" if file else "")


def _import_refused(record: AuditRecord) -> str:
    file = _text(record.details, "file") or record.object_id
    reason = _text(record.details, "reason")
    return f"Import of {file} refused" + (f": {reason}" if reason else "")


def _review_opened(record: AuditRecord) -> str:
    template = _text(record.details, "template")
    return f"Review of {_subject(record)} opened" + (
        f" with checklist {template}" if template else ""
    )


def _review_signed(record: AuditRecord) -> str:
    signer = _text(record.details, "signer") or record.actor or "someone"
    decision = _text(record.details, "decision")
    template = _text(record.details, "template")
    stage = _text(record.details, "stage")
    facts = [f"for {stage}" if stage else "", f"checklist {template}" if template else ""]
    if Decision.known(decision):
        return f"{signer} {Decision(decision).done} {_subject(record)}" + _bracket(facts)
    return f"{signer} signed off {_subject(record)}" + _bracket([f"decision {decision}", *facts])


def _review_superseded(record: AuditRecord) -> str:
    by = _text(record.details, "by_version")
    return f"Review of {_subject(record)} closed: superseded" + (f" by version {by}" if by else "")


def _checklist_stored(record: AuditRecord) -> str:
    title = _text(record.details, "title")
    named = f" “{title}”" if title else ""
    return f"Checklist template {record.object_id}{named} stored"


def _checklist_frozen(record: AuditRecord) -> str:
    return (
        f"Checklist template {record.object_id} frozen: a review uses it, so it never changes again"
    )


def _checklist_imported(record: AuditRecord) -> str:
    title = _text(record.details, "title")
    source = _text(record.details, "source")
    named = f" “{title}”" if title else ""
    verb = "imported" if record.action == AuditAction.CHECKLIST_IMPORTED else "replaced"
    return f"Checklist template {record.object_id}{named} {verb}" + (
        f" from {source}" if source else ""
    )


def _policy_changed(record: AuditRecord) -> str:
    title = _text(record.details, "title")
    source = _text(record.details, "source")
    named = f" “{title}”" if title else ""
    if record.action == AuditAction.POLICY_FROZEN:
        return f"Metric policy {record.object_id}{named} frozen: a sign-off used it"
    verb = "imported" if record.action == AuditAction.POLICY_IMPORTED else "replaced"
    terms = _text(record.details, "terms")
    return (
        f"Metric policy {record.object_id}{named} {verb}"
        + (f" from {source}" if source else "")
        + (f" ({terms})" if terms else "")
    )


def _report_exported(record: AuditRecord) -> str:
    status = _text(record.details, "status")
    file = _text(record.details, "file")
    pages = record.details.get("pages")
    facts = [f"{pages} page{'s' if pages != 1 else ''}" if isinstance(pages, int) else ""]
    subject = _subject(record) + (f" ({CardStatus.word(status)})" if status else "")
    where = f" to {file}" if file else ""
    return f"Signed report of {subject} exported{where}" + _bracket(facts)


def _identity_added(record: AuditRecord) -> str:
    details = record.details
    who = _person(details) or _short(record.object_id)
    role = _text(details, "role")
    shown_role = Role.word(role) if role else ""
    if record.action == AuditAction.IDENTITY_CREATED:
        certificate = f"{IdentitySource.SELF_SIGNED.label} certificate"
        return f"Identity of {who} created" + _bracket([shown_role, certificate])
    return f"Identity of {who} imported from a PKCS#12 file" + _bracket([shown_role])


def _passphrase_changed(record: AuditRecord) -> str:
    who = _text(record.details, "email") or _short(record.object_id)
    return f"Passphrase of the key of {who} changed"


def _identity_retired(record: AuditRecord) -> str:
    who = _text(record.details, "email") or _short(record.object_id)
    reason = _text(record.details, "reason")
    return f"Identity of {who} retired: it signs no more" + (f" ({reason})" if reason else "")


def _role_granted(record: AuditRecord) -> str:
    who = _text(record.details, "email") or _short(record.object_id)
    role = _text(record.details, "role")
    shown = Role.word(role) if role else "no role"
    if record.details.get("founding") is True:
        return f"{who} founded the registry as its officer (signed)"
    return f"{who} granted the role {shown} by {record.actor} (signed)"


def _checkpoint(record: AuditRecord) -> str:
    events = record.details.get("events")
    upto = f" up to event {events}" if isinstance(events, int) else ""
    return f"Audit trail checkpoint signed by {record.actor}{upto}"


def _stages_set(record: AuditRecord) -> str:
    stages = record.details.get("to")
    names = " → ".join(str(s) for s in stages) if isinstance(stages, list) else ""
    return f"Stages set to {names}" if names else "Stages set"


def _classified(record: AuditRecord) -> str:
    tier = _text(record.details, "tier")
    reason = _text(record.details, "reason")
    return f"{record.actor} classified {_subject(record)} as {tier} risk" + (
        f": {reason}" if reason else ""
    )


def _revoked(record: AuditRecord) -> str:
    stage = _text(record.details, "stage")
    reason = _text(record.details, "reason")
    return f"{record.actor} revoked the approval of {_subject(record)} for {stage}" + (
        f": {reason}" if reason else ""
    )


def _merged(record: AuditRecord) -> str:
    source = _text(record.details, "source") or "another registry"
    events = record.details.get("events")
    count = counted(events, "event") if isinstance(events, int) else "the events"
    return f"{record.actor} merged {count} of work done in {source} (verified, kept verbatim)"


_SENTENCES: dict[AuditAction, Callable[[AuditRecord], str]] = {
    AuditAction.REGISTRY_MERGED: _merged,
    AuditAction.STAGES_SET: _stages_set,
    AuditAction.MODEL_CLASSIFIED: _classified,
    AuditAction.APPROVAL_REVOKED: _revoked,
    AuditAction.MODEL_CREATED: _model_created,
    AuditAction.BUNDLE_IMPORTED: _bundle_imported,
    AuditAction.CARD_VERSION_IMPORTED: _card_version_imported,
    AuditAction.CARD_VERSION_SUPERSEDED: _card_version_superseded,
    AuditAction.CARD_VERSION_STATUS_CHANGED: _status_changed,
    AuditAction.CARD_VERSION_PUBLISHED: _published,
    AuditAction.CARD_VERSION_ATTESTED: _attested,
    AuditAction.IMPORT_REFUSED: _import_refused,
    AuditAction.REVIEW_OPENED: _review_opened,
    AuditAction.REVIEW_SIGNED: _review_signed,
    AuditAction.REVIEW_SUPERSEDED: _review_superseded,
    AuditAction.CHECKLIST_STORED: _checklist_stored,
    AuditAction.CHECKLIST_FROZEN: _checklist_frozen,
    AuditAction.CHECKLIST_IMPORTED: _checklist_imported,
    AuditAction.CHECKLIST_REPLACED: _checklist_imported,
    AuditAction.REPORT_EXPORTED: _report_exported,
    AuditAction.IDENTITY_CREATED: _identity_added,
    AuditAction.IDENTITY_IMPORTED: _identity_added,
    AuditAction.IDENTITY_PASSPHRASE_CHANGED: _passphrase_changed,
    AuditAction.IDENTITY_RETIRED: _identity_retired,
    AuditAction.IDENTITY_GRANTED: _role_granted,
    AuditAction.AUDIT_CHECKPOINT: _checkpoint,
    AuditAction.POLICY_IMPORTED: _policy_changed,
    AuditAction.POLICY_REPLACED: _policy_changed,
    AuditAction.POLICY_FROZEN: _policy_changed,
}


# -- pieces ---------------------------------------------------------------------------


def _subject(record: AuditRecord) -> str:
    """The card version an event is about: "card version 3.1 of acme/scorer"."""
    version = _text(record.details, "version")
    if version:
        return _card_version(record, version)
    return f"a card version of {record.model_name}" if record.model_name else "a card version"


def _card_version(record: AuditRecord, version: str) -> str:
    return f"card version {version}" + (f" of {record.model_name}" if record.model_name else "")


def _person(details: Mapping[str, Any]) -> str:
    name = _text(details, "name")
    email = _text(details, "email")
    if name and email:
        return f"{name} <{email}>"
    return name or email


def _text(details: Mapping[str, Any], key: str) -> str:
    """A detail as text: strings and numbers as they are, anything else as nothing."""
    value = details.get(key)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    return ""


def _cap(text: str) -> str:
    """``text`` with its first letter upper case (and the rest, names included, untouched)."""
    return text[:1].upper() + text[1:]


def _bracket(facts: list[str]) -> str:
    shown = [fact for fact in facts if fact]
    return f" ({', '.join(shown)})" if shown else ""


def _short(value: str) -> str:
    """A SHA-256 cut to its first 12 digits (enough to recognise); anything else as it is."""
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12] + "…"
    return value
