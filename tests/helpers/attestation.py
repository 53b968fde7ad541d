"""A registry from the command line with one card version approved for staging, for attestations.

Olga is the officer, Ana the approver; the card names one model file
(``model.onnx``), listed in the team's bundle.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from countersign.cli import main
from countersign.services.attestation.statement import ApprovalFacts, Approver, Classification
from countersign.services.reviews.checklists import built_in_templates
from tests.helpers.registry import write_card
from tests.helpers.signoff import medium_card

ANA, OLGA = "ana@example.org", "olga@example.org"
MODEL = "triage-classifier"
WEIGHTS = b"\x00weights of the triage model\x01" * 100

FACTS = ApprovalFacts(
    model="scorer",
    version="2.0",
    stage="production",
    card_sha256="c" * 64,
    decided_at="2026-12-01T09:00:00.000000Z",
    template=("high-risk", 1),
    quorum=1,
    approvers=(Approver("Ana", "ana@example.org", "a" * 64, "2026-12-01T09:00:00Z"),),
    classification=Classification("high", "olga@example.org", "Credit.", "2026-11-30T09:00:00Z"),
    artifacts=(("model.onnx", "d" * 64),),
    attested_by=Approver("Olga", "olga@example.org", "b" * 64, "2026-12-01T10:00:00Z"),
)
"""What an approval attestation states, made up (no registry): for tests of the statement alone."""


def approved_registry(folder: Path, terms: tuple[str, ...] = ()) -> None:
    """Import a bundle with a model file, make Olga (officer) and Ana, and approve for staging.

    ``terms`` are further arguments of Ana's ``review`` (``--condition``, ``--expires``).
    """
    cards = folder / "cards"
    cards.mkdir()
    card = medium_card(MODEL, "1.0").model_copy(update={"risk_rating": ""})
    write_card(cards, "triage.json", card)
    weights = folder / "model.onnx"
    weights.write_bytes(WEIGHTS)
    bundle = folder / "triage.cardbundle"
    create = ["bundle", "create", str(cards), "-o", str(bundle), "--team", "ED"]
    assert main([*create, "--artifact", str(weights)]) == 0
    assert main(["import", str(bundle)]) == 0
    for email in (OLGA, ANA):
        argv = ["identity", "create", "--name", email.split("@")[0].title(), "--email", email]
        assert main(argv) == 0
    assert main(["identity", "grant", ANA, "--role", "approver", "--identity", OLGA]) == 0
    items = next(t for t in built_in_templates() if t.id == "standard").items
    responses = folder / "responses.yaml"
    responses.write_text("".join(f"{i.id}: {{answer: pass, note: Checked.}}\n" for i in items))
    review = ["review", f"{MODEL}@1.0", "--stage", "staging", "--template", "standard"]
    review += ["--responses", str(responses), "--decision", "approve", "--identity", ANA, *terms]
    assert main(review) == 0
    for email in (OLGA, ANA):
        assert main(["identity", "export-cert", email, "-o", str(folder / f"{email}.pem")]) == 0


def independent_verify(envelope_path: Path, certificate_path: Path) -> dict[str, Any]:
    """Verify a DSSE envelope with securesystemslib alone; the statement it signs, as JSON.

    The key is the certificate's public key (read by ``cryptography``), its keyid the
    certificate's SHA-256 as Countersign documents it.  Raises securesystemslib's
    ``VerificationError`` when the signature does not hold.
    """
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    keyid = certificate.fingerprint(hashes.SHA256()).hex()
    key = SSlibKey.from_crypto(certificate.public_key(), keyid=keyid)
    envelope = Envelope.from_dict(json.loads(envelope_path.read_text()))
    envelope.verify([key], 1)
    statement: dict[str, Any] = json.loads(envelope.payload)
    return statement


def with_payload(envelope_path: Path, payload: bytes, output: Path) -> Path:
    """A copy of the envelope at ``envelope_path`` whose payload is ``payload`` (signature kept)."""
    value = json.loads(envelope_path.read_text())
    value["payload"] = base64.b64encode(payload).decode("ascii")
    output.write_text(json.dumps(value))
    return output
