"""The domain's words, defined once: statuses, roles, decisions, answers, formats, audit actions.

Each is a :class:`~enum.StrEnum` whose values are the strings the registry
stores (so rows written before this module existed read the same), and each
member has one human ``label``, the word the officer reads on screen, in the
report and on the command line.  Code compares and stores members, never the
bare strings: ``tests/models/test_vocabulary.py`` fails when one creeps back.
"""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A closed set of stored words, each with one human label."""

    @property
    def label(self) -> str:
        """The word the officer reads for this value."""
        return _LABELS[type(self)][self.value]

    @classmethod
    def word(cls, stored: str) -> str:
        """The label of a stored value; a value this version does not know, made readable."""
        labels = _LABELS.get(cls, {})
        if stored in labels:
            return labels[stored]
        return stored.replace("_", " ").replace(".", " ")

    @classmethod
    def known(cls, stored: object) -> bool:
        """Whether ``stored`` is one of this vocabulary's values (any other object is not)."""
        return isinstance(stored, str) and stored in cls._value2member_map_


_LABELS: dict[type[Vocabulary], dict[str, str]] = {}


def _labelled(cls: type[Vocabulary], labels: dict[str, str]) -> None:
    _LABELS[cls] = labels


# -- card versions and review rounds --------------------------------------------------


class CardStatus(Vocabulary):
    """The status of a card version (and of a review round), in the order a review moves."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes requested"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


_labelled(
    CardStatus,
    {
        "submitted": "submitted",
        "in review": "in review",
        "approved": "approved",
        "changes requested": "changes requested",
        "rejected": "rejected",
        "superseded": "superseded",
        "revoked": "revoked",
    },
)


class StageStatus(Vocabulary):
    """A card version's status for one deployment stage."""

    NOT_REQUESTED = "not requested"
    IN_REVIEW = "in review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes requested"
    REJECTED = "rejected"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    """Approved, but the approval's expiry date has passed (judged on a day; never stored)."""


_labelled(
    StageStatus,
    {
        "not requested": "not requested",
        "in review": "in review",
        "approved": "approved",
        "changes requested": "changes requested",
        "rejected": "rejected",
        "revoked": "revoked",
        "superseded": "superseded",
        "expired": "expired",
    },
)

OPEN_STATUSES = (CardStatus.SUBMITTED, CardStatus.IN_REVIEW)
"""Statuses a card version can still be signed off in; a newer version supersedes them."""

DECIDED_STATUSES = (CardStatus.APPROVED, CardStatus.CHANGES_REQUESTED, CardStatus.REJECTED)
"""Statuses a sign-off decides; a round in one of them is closed."""


class Decision(Vocabulary):
    """What a sign-off decides: approve, request changes, or reject."""

    APPROVE = "approve"
    CHANGES = "changes"
    REJECT = "reject"

    @property
    def outcome(self) -> CardStatus:
        """The status a review round gets when this decision settles it."""
        return {
            Decision.APPROVE: CardStatus.APPROVED,
            Decision.CHANGES: CardStatus.CHANGES_REQUESTED,
            Decision.REJECT: CardStatus.REJECTED,
        }[self]

    @property
    def done(self) -> str:
        """The decision as something a signer did: "approved", "requested changes to"."""
        return {
            Decision.APPROVE: "approved",
            Decision.CHANGES: "requested changes to",
            Decision.REJECT: "rejected",
        }[self]


_labelled(Decision, {"approve": "approve", "changes": "request changes", "reject": "reject"})


class AnswerValue(Vocabulary):
    """The answer to one checklist item."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"


_labelled(AnswerValue, {"pass": "pass", "fail": "fail", "na": "not applicable"})


# -- people ---------------------------------------------------------------------------


class Role(Vocabulary):
    """The role of a reviewer identity; only approvers and officers may sign an approval."""

    REVIEWER = "reviewer"
    APPROVER = "approver"
    OFFICER = "officer"

    @property
    def duties(self) -> str:
        """What the role may do, in one phrase (for choosing one)."""
        return {
            Role.APPROVER: "may approve, request changes or reject",
            Role.REVIEWER: "may request changes or reject, not approve",
            Role.OFFICER: "approves, and looks after the registry",
        }[self]


_labelled(Role, {"reviewer": "reviewer", "approver": "approver", "officer": "officer"})

APPROVING_ROLES = (Role.APPROVER, Role.OFFICER)
"""Roles whose sign-off may approve."""


class IdentitySource(Vocabulary):
    """Where a reviewer identity's certificate came from."""

    SELF_SIGNED = "self-signed"
    PKCS12 = "pkcs12"


_labelled(IdentitySource, {"self-signed": "self-signed", "pkcs12": "issued (PKCS#12)"})


# -- what came in ---------------------------------------------------------------------


class CardFormat(Vocabulary):
    """The format a card arrived in."""

    HUGGINGFACE = "huggingface"
    MCT = "mct"
    SAGEMAKER = "sagemaker"
    CYCLONEDX = "cyclonedx"
    NATIVE_JSON = "native-json"
    NATIVE_YAML = "native-yaml"


_labelled(
    CardFormat,
    {
        "native-json": "Countersign JSON",
        "native-yaml": "Countersign YAML",
        "huggingface": "Hugging Face README",
        "mct": "Model Card Toolkit JSON",
        "sagemaker": "SageMaker JSON",
        "cyclonedx": "CycloneDX ML-BOM",
    },
)


class DraftFormat(Vocabulary):
    """The format a card draft is written in (see ``countersign card new``)."""

    HUGGINGFACE = "huggingface"
    NATIVE = "native"

    @property
    def suffix(self) -> str:
        """The file-name suffix a draft in this format is saved with."""
        return {DraftFormat.HUGGINGFACE: ".md", DraftFormat.NATIVE: ".json"}[self]


_labelled(
    DraftFormat,
    {"huggingface": CardFormat.HUGGINGFACE.label, "native": CardFormat.NATIVE_JSON.label},
)


class CardOutcome(Vocabulary):
    """What an import does with one card."""

    NEW_MODEL = "new model"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"
    REFUSED = "refused"

    @property
    def adds_a_version(self) -> bool:
        """Whether the card lands as a new card version."""
        return self in (CardOutcome.NEW_MODEL, CardOutcome.NEW_VERSION)


_labelled(
    CardOutcome,
    {
        "new model": "new model",
        "new version": "new version",
        "unchanged": "unchanged",
        "refused": "refused",
    },
)


class SignatureStatus(Vocabulary):
    """A bundle's team signature as recorded (an invalid one refuses the import)."""

    VALID = "valid"
    ABSENT = "absent"


_labelled(SignatureStatus, {"valid": "valid", "absent": "not signed"})


class ModelFileSignature(Vocabulary):
    """Whether a model file a card names was signed by its team (an OpenSSF model signature).

    Recorded per model file at import.  A signature that fails refuses the whole
    bundle, so FAILED is shown in the import preview and never stored.
    """

    VERIFIED = "verified"
    ABSENT = "not signed"
    FAILED = "failed"


_labelled(
    ModelFileSignature, {"verified": "verified", "not signed": "not signed", "failed": "FAILED"}
)


# -- the audit trail ------------------------------------------------------------------


class AuditAction(Vocabulary):
    """What an audit event records."""

    MODEL_CREATED = "model.created"
    BUNDLE_IMPORTED = "bundle.imported"
    CARD_VERSION_IMPORTED = "card_version.imported"
    CARD_VERSION_SUPERSEDED = "card_version.superseded"
    CARD_VERSION_STATUS_CHANGED = "card_version.status_changed"
    CARD_VERSION_PUBLISHED = "card_version.published"
    CARD_VERSION_ATTESTED = "card_version.attested"
    IMPORT_REFUSED = "import.refused"
    REVIEW_OPENED = "review.opened"
    REVIEW_SIGNED = "review.signed"
    REVIEW_SUPERSEDED = "review.superseded"
    CHECKLIST_STORED = "checklist.stored"
    CHECKLIST_FROZEN = "checklist.frozen"
    CHECKLIST_IMPORTED = "checklist.imported"
    CHECKLIST_REPLACED = "checklist.replaced"
    REPORT_EXPORTED = "report.exported"
    IDENTITY_CREATED = "identity.created"
    IDENTITY_IMPORTED = "identity.imported"
    IDENTITY_PASSPHRASE_CHANGED = "identity.passphrase_changed"
    IDENTITY_RETIRED = "identity.retired"
    IDENTITY_GRANTED = "identity.granted"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    STAGES_SET = "stages.set"
    MODEL_CLASSIFIED = "model.classified"
    APPROVAL_REVOKED = "approval.revoked"
    POLICY_IMPORTED = "policy.imported"
    POLICY_REPLACED = "policy.replaced"
    POLICY_FROZEN = "policy.frozen"
    REGISTRY_MERGED = "registry.merged"


_labelled(
    AuditAction,
    {
        "model.created": "Model created",
        "bundle.imported": "Bundle imported",
        "card_version.imported": "Card version imported",
        "card_version.superseded": "Card version superseded",
        "card_version.status_changed": "Status changed",
        "card_version.published": "Card version published",
        "card_version.attested": "Approval attested",
        "import.refused": "Import refused",
        "review.opened": "Review round opened",
        "review.signed": "Sign-off signed",
        "review.superseded": "Review round superseded",
        "checklist.stored": "Checklist template stored",
        "checklist.frozen": "Checklist template frozen",
        "checklist.imported": "Checklist template imported",
        "checklist.replaced": "Checklist template replaced",
        "report.exported": "Signed report exported",
        "identity.created": "Identity created",
        "identity.imported": "Identity imported",
        "identity.passphrase_changed": "Passphrase changed",
        "identity.retired": "Identity retired",
        "identity.granted": "Role granted",
        "audit.checkpoint": "Checkpoint signed",
        "stages.set": "Stages set",
        "model.classified": "Risk classified",
        "approval.revoked": "Approval revoked",
        "policy.imported": "Metric policy imported",
        "policy.replaced": "Metric policy replaced",
        "policy.frozen": "Metric policy frozen",
        "registry.merged": "Work merged from another registry",
    },
)


class AuditObject(Vocabulary):
    """The kind of record an audit event is about."""

    MODEL = "model"
    BUNDLE = "bundle"
    CARD_VERSION = "card_version"
    REVIEW = "review"
    SIGNATURE = "signature"
    IDENTITY = "identity"
    CHECKLIST_TEMPLATE = "checklist_template"
    FILE = "file"
    TRAIL = "audit"
    REGISTRY = "registry"
    CLASSIFICATION = "classification"
    REVOCATION = "revocation"
    METRIC_POLICY = "metric_policy"


_labelled(
    AuditObject,
    {
        "model": "model",
        "bundle": "bundle",
        "card_version": "card version",
        "review": "review round",
        "signature": "sign-off",
        "identity": "identity",
        "checklist_template": "checklist template",
        "file": "file",
        "audit": "audit trail",
        "registry": "registry",
        "classification": "risk classification",
        "revocation": "revocation",
        "metric_policy": "metric policy",
    },
)


# -- the home screen ------------------------------------------------------------------


class DeskList(Vocabulary):
    """The lists of the home screen and of ``countersign queue``, in the order they are shown."""

    TO_REVIEW = "to_review"
    AWAITING_SIGNATURE = "awaiting_signature"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    EXPIRING = "expiring"
    IMPORT_WARNINGS = "import_warnings"


_labelled(
    DeskList,
    {
        "to_review": "Versions to review",
        "awaiting_signature": "Rounds awaiting my signature",
        "changes_requested": "Changes requested, awaiting the team",
        "approved": "Approved for each stage",
        "expiring": "Approvals expiring soon",
        "import_warnings": "Recent imports with warnings",
    },
)


# -- the workstation's look -------------------------------------------------------------


class Theme(Vocabulary):
    """The colours the workstation is drawn in, chosen in Settings ▸ Theme."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


_labelled(
    Theme,
    {
        "system": "System (follow the desktop)",
        "light": "Light",
        "dark": "Dark",
    },
)
