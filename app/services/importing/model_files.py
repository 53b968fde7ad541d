"""The teams' OpenSSF signatures of the model files a bundle names: one status per file.

Each model file a card names (an *artifact*: name, SHA-256, size) is recorded
with ``team_signature``: ``verified`` when a model signature in the bundle,
checked with a certificate trusted here for the bundle's team, lists it with
the same SHA-256 (and ``team_certificate``, that certificate's fingerprint).
A file without the key was not signed (so unsigned bundles record their
files exactly as before).  A signature that fails refuses the whole bundle;
the preview then shows the files it was for as FAILED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from countersign.formats.bundle import OpenedBundle
from countersign.formats.bundle.signing import TeamCertificate
from countersign.models.vocabulary import CardOutcome, ModelFileSignature
from countersign.services.importing.plan import ImportPlan

if TYPE_CHECKING:
    from countersign.formats.bundle.model_signatures import SignedModelFiles

TEAM_SIGNATURE = "team_signature"
"""The key, in each recorded model file, of whether the team's signature of it verified."""

TEAM_CERTIFICATE = "team_certificate"
"""The key of the SHA-256 fingerprint of the certificate that verified it."""


def check_model_signatures(
    plan: ImportPlan, bundle: OpenedBundle, certificates: Callable[[], Sequence[TeamCertificate]]
) -> None:
    """Mark the model files of ``plan``'s cards that a team signature vouches for, or refuse it.

    ``model_signing`` is imported only for a bundle that carries a signature.
    """
    if not bundle.model_signatures or plan.refused:
        return
    from countersign.formats.bundle.model_signatures import ModelSignatureFailed
    from countersign.formats.bundle.model_signatures import (
        check_model_signatures as verify_signatures,
    )

    try:
        checked = verify_signatures(bundle, certificates())
    except ModelSignatureFailed as failure:
        # The card is refused, so the whole bundle is; its cards stay in the plan so
        # that the preview shows which model files failed.
        for card in plan.cards:
            if card.file == failure.card:
                card.outcome = CardOutcome.REFUSED
                card.reason = f"{failure.field}: {failure.reason}"
                _mark(card.artifacts, None, ModelFileSignature.FAILED)
        return
    for signed in checked:
        plan.signed_model_files.append(
            {
                "card": signed.card,
                "signature": signed.signature,
                "files": list(signed.files),
                "certificate": signed.certificate_fingerprint,
            }
        )
        for card in plan.cards:
            if card.file == signed.card:
                _mark(card.artifacts, signed, ModelFileSignature.VERIFIED)


def _mark(
    artifacts: list[dict[str, object]], signed: SignedModelFiles | None, status: ModelFileSignature
) -> None:
    """Give ``status`` to the model files ``signed`` lists (all of them when None)."""
    for artifact in artifacts:
        if signed is None or artifact.get("name") in signed.files:
            artifact[TEAM_SIGNATURE] = status.value
            if signed is not None:
                artifact[TEAM_CERTIFICATE] = signed.certificate_fingerprint


def team_signature(artifact: dict[str, object]) -> ModelFileSignature:
    """Whether the team's signature of a recorded model file verified (older records: not signed)."""
    stored = artifact.get(TEAM_SIGNATURE)
    if isinstance(stored, str) and ModelFileSignature.known(stored):
        return ModelFileSignature(stored)
    return ModelFileSignature.ABSENT


def signed_by_team(artifacts: Sequence[dict[str, object]]) -> str:
    """Whether the team signed a card version's model files, in a few words for a table."""
    if not artifacts:
        return "no model files named"
    counts: dict[ModelFileSignature, int] = {}
    for artifact in artifacts:
        status = team_signature(artifact)
        counts[status] = counts.get(status, 0) + 1
    if ModelFileSignature.FAILED in counts:
        return ModelFileSignature.FAILED.label
    if len(counts) == 1:
        return next(iter(counts)).label
    return ", ".join(f"{counts[s]} {s.label}" for s in ModelFileSignature if s in counts)


def signature_sentence(artifact: dict[str, object]) -> str:
    """One model file's team signature in a sentence: what was checked, with which certificate."""
    status = team_signature(artifact)
    if status == ModelFileSignature.VERIFIED:
        fingerprint = str(artifact.get(TEAM_CERTIFICATE, ""))
        return (
            "signed by the team: verified (OpenSSF model signature, team certificate "
            f"SHA-256 {fingerprint[:16]}…)"
        )
    return f"signed by the team: {status.label}"
