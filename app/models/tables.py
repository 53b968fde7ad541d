"""The registry's tables (SQLAlchemy 2 declarative).

Times are stored as ISO-8601 UTC text (``2026-11-23T16:37:53.123456Z``): they
sort as text, read the same on SQLite and PostgreSQL, and hash the same in the
audit chain on every machine.

What only SQLite has (the FTS5 search index, the triggers that make the audit
trail append-only) lives in :mod:`countersign.services.storage.dialect`, not here.
"""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from countersign.models.vocabulary import CardStatus


class Base(DeclarativeBase):
    """Base of every registry table."""


class Model(Base):
    """A model under governance: one name, many immutable card versions.

    ``latest_version``, ``status``, ``version_count``, ``risk_tier`` and
    ``last_activity`` repeat facts of the newest card version so that the
    registry browser can sort and page 10,000 models without a join.
    ``risk_tier`` is the tier that version is reviewed at: the officer's newest
    classification when there is one, else the card's own rating (kept so on
    classifying, importing and merging; see ``reviews.stages.classified_tiers``).
    """

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    team: Mapped[str] = mapped_column(String(300), default="", index=True)
    risk_tier: Mapped[str] = mapped_column(String(20), default="", index=True)
    latest_version: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default=CardStatus.SUBMITTED, index=True)
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(32))
    last_activity: Mapped[str] = mapped_column(String(32), index=True)

    versions: Mapped[list[CardVersion]] = relationship(
        back_populates="model", order_by="CardVersion.seq"
    )


class Bundle(Base):
    """A bundle file as received: its hash, manifest and team signature."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    team: Mapped[str] = mapped_column(String(300))
    producer: Mapped[str] = mapped_column(String(300), default="")
    created: Mapped[str] = mapped_column(String(64), default="")
    manifest_json: Mapped[str] = mapped_column(Text)
    signature_status: Mapped[str] = mapped_column(String(20))
    signer_certificate_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    signer_subject: Mapped[str | None] = mapped_column(String(500), nullable=True)
    signer_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    imported_at: Mapped[str] = mapped_column(String(32))
    imported_by: Mapped[str] = mapped_column(String(300))


class CardVersion(Base):
    """One version of a model's card, immutable once imported.

    ``canonical_json`` is the card in canonical form and ``sha256`` its hash;
    ``original`` keeps the bytes exactly as received, ``warnings_json`` what
    the reader noticed.  Only ``status`` ever changes.
    """

    __tablename__ = "card_versions"
    __table_args__ = (
        UniqueConstraint("model_id", "version", name="uq_card_versions_model_version"),
        Index("ix_card_versions_model_seq", "model_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="RESTRICT"))
    version: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(Integer)
    canonical_json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    original: Mapped[bytes] = mapped_column(LargeBinary)
    original_name: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(20))
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(20), default=CardStatus.SUBMITTED, index=True)
    bundle_id: Mapped[int | None] = mapped_column(
        ForeignKey("bundles.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    imported_at: Mapped[str] = mapped_column(String(32))
    imported_by: Mapped[str] = mapped_column(String(300))
    artifacts_json: Mapped[str] = mapped_column(Text, default="[]")
    """The model files the card version names: ``[{"name", "sha256", "size"}]``."""

    model: Mapped[Model] = relationship(back_populates="versions")
    bundle: Mapped[Bundle | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="card_version", order_by="Attachment.path"
    )


class Attachment(Base):
    """A file that came with a card version: a bundle attachment or an embedded graphic."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_version_id: Mapped[int] = mapped_column(
        ForeignKey("card_versions.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    card_version: Mapped[CardVersion] = relationship(back_populates="attachments")


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail.

    ``hash`` is the SHA-256 of the event's canonical JSON including
    ``prev_hash``, the hash of the event before it; changing or removing any
    event breaks every hash after it.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(300))
    model_name: Mapped[str] = mapped_column(String(300), default="", index=True)
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class MergedEvent(Base):
    """One audit event of another registry, kept verbatim: its work was merged into this one.

    When two registries forked from one grew apart (an officer worked offline
    while the team went on), ``registry copy`` keeps the source's events after
    the fork here, exactly as they were (their own ids, hashes and links), as
    one *segment* sealed by the ``registry.merged`` event of this registry's
    chain whose id is ``segment``.  Their hashes, and so every signature that
    pins them, verify unchanged.
    """

    __tablename__ = "merged_events"

    segment: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(300))
    model_name: Mapped[str] = mapped_column(String(300), default="", index=True)
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Identity(Base):
    """A reviewer's identity: name, e-mail, role and X.509 certificate (never the private key).

    The private key lives only in the operating system's keyring, under the
    certificate's SHA-256 ``fingerprint``.  A retired identity signs no more;
    its certificate stays so that its signatures still verify.
    """

    __tablename__ = "identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(1000))
    issuer: Mapped[str] = mapped_column(String(1000))
    certificate_pem: Mapped[str] = mapped_column(Text)
    chain_pem: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20))
    not_before: Mapped[str] = mapped_column(String(32))
    not_after: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(300))
    retired_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    retired_reason: Mapped[str] = mapped_column(Text, default="")


class ChecklistTemplateRecord(Base):
    """A checklist template version as stored: its validated content and hash.

    Stored when imported or first used; ``frozen_at`` is set by the first
    review that uses it, after which its content never changes.
    """

    __tablename__ = "checklist_templates"
    __table_args__ = (
        UniqueConstraint("template_id", "version", name="uq_checklist_templates_id_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    content_json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    stored_at: Mapped[str] = mapped_column(String(32))
    stored_by: Mapped[str] = mapped_column(String(300))
    frozen_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class MetricPolicyRecord(Base):
    """A version of the officer's metric policy as stored: its validated content and hash.

    The newest version is in force.  ``frozen_at`` is set by the first sign-off
    made while it was in force, after which its content never changes.
    """

    __tablename__ = "metric_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    content_json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    stored_at: Mapped[str] = mapped_column(String(32))
    stored_by: Mapped[str] = mapped_column(String(300))
    frozen_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Review(Base):
    """One review round of a card version against one checklist template.

    The round collects sign-offs until the template's quorum of approvers has
    approved, or one sign-off requests changes or rejects.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_version_id: Mapped[int] = mapped_column(
        ForeignKey("card_versions.id", ondelete="RESTRICT"), index=True
    )
    template_record_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_templates.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=CardStatus.IN_REVIEW, index=True)
    opened_at: Mapped[str] = mapped_column(String(32))
    closed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    stage: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    """The stage the round is for; None for a round from before stages (it counts for every stage)."""


class Signature(Base):
    """One signed sign-off in a review: decision, comment, time, and the ECDSA signature.

    The signed payload is never stored: verification rebuilds it from this
    row, its responses, the card version and the template, so a changed row shows.
    """

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("review_id", "identity_id", name="uq_signatures_review_identity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="RESTRICT"), index=True
    )
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identities.id", ondelete="RESTRICT"), index=True
    )
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[str] = mapped_column(String(32))
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    chain_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The audit chain head the sign-off extends (None: signed before heads were signed)."""
    chain_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    conditions_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    """The sign-off's conditions, a JSON list of short texts (signed when not empty)."""
    expires_on: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    """The date (``YYYY-MM-DD``, UTC) until which an approval holds; None: no expiry (signed when set)."""
    escalations_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    """The ids of the template's escalations the sign-off fulfils, as a JSON list (signed)."""


class ReviewResponse(Base):
    """The answer of one sign-off to one checklist item, with the automatic result shown."""

    __tablename__ = "review_responses"
    __table_args__ = (
        UniqueConstraint("signature_id", "item_id", name="uq_review_responses_signature_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(Text, default="")
    automatic: Mapped[str] = mapped_column(String(4), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")


class Stage(Base):
    """One deployment stage of the registry, in order (``position`` 0 first)."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Classification(Base):
    """An officer's signed risk classification of a model, from one card version on.

    ``act_json`` is the exact signed act (canonical JSON) and ``signature`` its
    ECDSA signature; it applies to ``card_version_id`` and every later version
    until a newer classification.
    """

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="RESTRICT"), index=True)
    card_version_id: Mapped[int] = mapped_column(
        ForeignKey("card_versions.id", ondelete="RESTRICT")
    )
    tier: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="RESTRICT"))
    signed_at: Mapped[str] = mapped_column(String(32))
    act_json: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class Revocation(Base):
    """An officer's signed withdrawal of a card version's approval for one stage."""

    __tablename__ = "revocations"
    __table_args__ = (
        UniqueConstraint("card_version_id", "stage", name="uq_revocations_version_stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_version_id: Mapped[int] = mapped_column(
        ForeignKey("card_versions.id", ondelete="RESTRICT"), index=True
    )
    stage: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="RESTRICT"))
    signed_at: Mapped[str] = mapped_column(String(32))
    act_json: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
