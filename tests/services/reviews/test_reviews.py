"""Sign-offs: every rule of the review, every refusal (with nothing stored), and the payload."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from countersign.models.card import canonical_json
from countersign.services.audit.trail import verify_chain
from countersign.services.identities.errors import IdentityRetired, WrongPassphrase
from countersign.services.identities.identities import Pkcs12File
from countersign.services.importing.importer import Importer
from countersign.services.reviews.errors import (
    AlreadySigned,
    ResponsesInvalid,
    ReviewClosed,
    RoleNotPermitted,
    SegregationOfDuties,
    TemplateNotApplicable,
)
from countersign.services.reviews.reviews import Answer
from countersign.services.reviews.rules import card_owner_emails, emails_in
from countersign.services.reviews.signoff_payload import (
    SignedResponse,
    SignoffContent,
    payload_bytes,
    signoff_payload,
)
from tests.helpers.bundles import TeamSigner, signed_bundle, write
from tests.helpers.registry import audit_actions, native_card
from tests.helpers.signoff import (
    PASSPHRASE,
    Workbench,
    issued_pkcs12,
    medium_card,
    table_counts,
    workbench,
)

ANA, BEA, CAL = "ana@example.org", "bea@example.org", "cal@example.org"


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as made:
        made.import_card(medium_card())
        made.person(ANA, "approver")
        made.person(BEA, "approver")
        made.person(CAL, "reviewer")
        yield made


@pytest.fixture
def high(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as made:
        made.import_card(native_card("fraud-detector", "3.1"))  # rated high
        made.person(ANA, "approver")
        made.person(BEA, "officer")
        made.person(CAL, "reviewer")
        yield made


def _refused(bench: Workbench, error: type[Exception], match: str, **request: object) -> None:
    """Sign ``request`` expecting ``error``; check that nothing at all was stored."""
    before = table_counts(bench.path), bench.statuses()
    email = str(request.pop("email", ANA))
    passphrase = str(request.pop("passphrase", PASSPHRASE))
    with pytest.raises(error, match=match):
        bench.reviews.sign(bench.request(email, **request), passphrase)  # type: ignore[arg-type]
    assert (table_counts(bench.path), bench.statuses()) == before


def test_one_approval_meets_the_standard_quorum(bench: Workbench) -> None:
    result = bench.sign(ANA, comment="Documentation complete.")
    assert result.card_status == "approved"
    review = result.review
    assert (review.status, review.quorum, review.approvals) == ("approved", 1, 1)
    assert review.closed_at is not None
    assert [(s.signer_email, s.decision, s.comment) for s in review.signatures] == [
        (ANA, "approve", "Documentation complete.")
    ]
    assert bench.statuses() == {"credit-scorer@1.0": "approved", "credit-scorer": "approved"}
    assert audit_actions(bench.path)[-5:] == [
        "checklist.stored",
        "checklist.frozen",
        "review.opened",
        "review.signed",
        "card_version.status_changed",
    ]
    with bench.db.read() as session:
        assert verify_chain(session).ok
    responses = review.signatures[0].responses
    assert [r.item for r in responses][:3] == ["owner-contact", "intended-use", "out-of-scope-uses"]
    owner = responses[0]
    assert (owner.answer, owner.automatic) == ("pass", "pass")
    assert "risk-analytics@example.com" in owner.evidence
    evaluation = next(r for r in responses if r.item == "evaluation-data")
    assert evaluation.automatic == "fail"  # the small card describes no evaluation data
    assert evaluation.evidence == "evaluation_data is empty"


def test_high_risk_needs_two_distinct_approvers(high: Workbench) -> None:
    first = high.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
    assert (first.card_status, first.review.approvals, first.review.quorum) == ("in review", 1, 2)
    assert high.statuses()["fraud-detector"] == "in review"
    second = high.sign(BEA, model="fraud-detector", version="3.1", template="high-risk")
    assert second.review.id == first.review.id
    assert (second.card_status, second.review.approvals) == ("approved", 2)
    assert high.statuses() == {"fraud-detector@3.1": "approved", "fraud-detector": "approved"}


def test_request_changes_ends_the_round(high: Workbench) -> None:
    high.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
    answers = high.answers("high-risk")
    answers["monitoring-plan"] = Answer("fail", "No retraining trigger is stated.")
    result = high.sign(
        CAL,
        "changes",
        model="fraud-detector",
        version="3.1",
        template="high-risk",
        answers=answers,
    )
    assert result.card_status == "changes requested"
    assert result.review.status == "changes requested"
    assert high.statuses()["fraud-detector"] == "changes requested"
    _refused(
        high,
        ReviewClosed,
        "already decided \\(changes requested\\)",
        email=BEA,
        model="fraud-detector",
        version="3.1",
        template="high-risk",
    )


def test_reject_ends_the_round(bench: Workbench) -> None:
    result = bench.sign(CAL, "reject", comment="Not a use the bank will take on.")
    assert (result.card_status, result.review.status) == ("rejected", "rejected")
    _refused(bench, ReviewClosed, "already decided \\(rejected\\)", email=BEA)


def test_approved_card_takes_no_more_signoffs(bench: Workbench) -> None:
    bench.sign(ANA)
    _refused(
        bench,
        ReviewClosed,
        "credit-scorer 1.0 is already decided \\(approved\\) for staging",
        email=BEA,
        stage="staging",
    )


def test_reviewer_cannot_approve(bench: Workbench) -> None:
    _refused(bench, RoleNotPermitted, "cal@example.org is a reviewer and cannot approve", email=CAL)


def test_nobody_signs_the_same_round_twice(high: Workbench) -> None:
    high.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
    kwargs: dict[str, object] = {
        "model": "fraud-detector",
        "version": "3.1",
        "template": "high-risk",
    }
    _refused(high, AlreadySigned, "ana@example.org already signed this review", **kwargs)
    # Not with another decision either, nor with a fresh identity for the same address.
    answers = high.answers("high-risk")
    answers["monitoring-plan"] = Answer("fail", "No plan.")
    _refused(
        high,
        AlreadySigned,
        "nobody signs the same round twice",
        decision="changes",
        answers=answers,
        **kwargs,
    )
    high.identities.retire(ANA)
    high.person(ANA, "approver")
    _refused(high, AlreadySigned, "already signed", **kwargs)


def test_owner_cannot_approve_their_own_card(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        card = medium_card(
            owners=[{"name": "Dee Owner", "contact": "Dee <DEE@example.org>", "role": "owner"}]
        )
        bench.import_card(card)
        bench.person("dee@example.org", "approver")
        _refused(
            bench,
            SegregationOfDuties,
            "dee@example.org is named among the owners or developers of credit-scorer 1.0",
            email="dee@example.org",
        )
        # The owner may still ask for changes to their own card.
        answers = bench.answers()
        answers["monitoring-plan"] = Answer("fail", "We forgot the monitoring plan.")
        assert bench.sign("dee@example.org", "changes", answers=answers).card_status == (
            "changes requested"
        )


def _signer_with_email(email: str) -> TeamSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Risk team release signing")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TeamSigner(key=key, certificate=certificate)


def _import_signed(bench: Workbench, signer: TeamSigner) -> None:
    card = medium_card().model_dump_json().encode()
    data = signed_bundle([("scorer.json", card)], [], signer=signer)
    report = Importer(bench.db).import_file(write(bench.folder, "risk.cardbundle", data))
    assert report.ok and report.plan.signature_status == "valid"


def test_bundle_signer_cannot_approve_by_address(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        _import_signed(bench, _signer_with_email("eve@example.org"))
        bench.person("eve@example.org", "approver")
        _refused(
            bench,
            SegregationOfDuties,
            "eve@example.org signed the bundle risk.cardbundle that brought credit-scorer 1.0",
            email="eve@example.org",
        )
        bench.person(ANA, "approver")
        assert bench.sign(ANA).card_status == "approved"


def test_bundle_signer_cannot_approve_by_certificate(tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        key = ec.generate_private_key(ec.SECP256R1())
        data, leaf, _ca = issued_pkcs12(None, None, key=key, common_name="Fay Signer")
        _import_signed(bench, TeamSigner(key=key, certificate=leaf))
        path = bench.folder / "fay.p12"
        path.write_bytes(data)
        bench.identities.import_pkcs12(
            Pkcs12File(path, None, email="fay@example.org"),
            PASSPHRASE,
            "approver",
            granted_by=bench.officer(),
        )
        _refused(
            bench, SegregationOfDuties, "fay@example.org signed the bundle", email="fay@example.org"
        )


def test_wrong_passphrase_stores_nothing(bench: Workbench) -> None:
    _refused(bench, WrongPassphrase, "the passphrase is wrong", passphrase="not my passphrase")


def test_retired_identity_cannot_sign(bench: Workbench) -> None:
    bench.identities.retire(ANA)
    _refused(bench, IdentityRetired, "retired and can no longer sign")


def test_answers_are_checked(bench: Workbench) -> None:
    answers = bench.answers()
    answers["no-such-item"] = Answer("pass", "")
    _refused(bench, ResponsesInvalid, "unknown checklist item 'no-such-item'", answers=answers)

    answers = bench.answers()
    del answers["monitoring-plan"], answers["licence-stated"]
    _refused(
        bench,
        ResponsesInvalid,
        "required items not answered: licence-stated, monitoring-plan",
        answers=answers,
    )

    answers = bench.answers()
    del answers["no-format-problems"]  # optional: leaving it out is fine
    assert bench.reviews.check(bench.request(ANA, answers=answers)).template.reference == (
        "standard@1"
    )

    answers = bench.answers()
    answers["monitoring-plan"] = Answer("fail", "")
    _refused(bench, ResponsesInvalid, "a fail needs a note", decision="changes", answers=answers)

    answers = bench.answers()
    answers["monitoring-plan"] = Answer("na", "  ")
    _refused(bench, ResponsesInvalid, "not applicable needs a note", answers=answers)

    answers = bench.answers()
    answers["evaluation-data"] = Answer("pass", "")  # its automatic check failed
    _refused(
        bench,
        ResponsesInvalid,
        "the automatic check failed \\(evaluation_data is empty\\); answering pass needs a note",
        answers=answers,
    )

    answers = bench.answers()
    answers["ethical-risks"] = Answer("fail", "No risks are named.")
    _refused(
        bench,
        ResponsesInvalid,
        "required item 'ethical-risks' is answered fail, so the card cannot be approved",
        answers=answers,
    )


def test_template_must_fit_the_risk_tier_and_the_open_round(high: Workbench) -> None:
    _refused(
        high,
        TemplateNotApplicable,
        "checklist standard@1 is for unknown, low, medium risk cards, and fraud-detector 3.1 "
        "is high risk",
        model="fraud-detector",
        version="3.1",
        template="standard",
    )


def test_newer_version_supersedes_the_open_review(high: Workbench) -> None:
    first = high.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
    high.import_card(native_card("fraud-detector", "3.2"))
    reviews = high.reviews.reviews_for("fraud-detector", "3.1")
    assert [(r.id, r.status) for r in reviews] == [(first.review.id, "superseded")]
    assert reviews[0].closed_at is not None
    assert high.statuses() == {
        "fraud-detector@3.1": "superseded",
        "fraud-detector@3.2": "submitted",
        "fraud-detector": "submitted",
    }
    assert "review.superseded" in audit_actions(high.path)
    _refused(
        high,
        ReviewClosed,
        "fraud-detector 3.1 was superseded by version 3.2; review the newest version",
        email=BEA,
        model="fraud-detector",
        version="3.1",
        template="high-risk",
    )
    second = high.sign(BEA, model="fraud-detector", version="3.2", template="high-risk")
    assert second.review.id != first.review.id and second.card_status == "in review"


def test_approved_version_is_not_superseded(bench: Workbench) -> None:
    bench.sign(ANA)
    bench.import_card(medium_card(version="2.0"))
    assert bench.statuses() == {
        "credit-scorer@1.0": "approved",
        "credit-scorer@2.0": "submitted",
        "credit-scorer": "submitted",
    }
    assert bench.reviews.reviews_for("credit-scorer", "1.0")[0].status == "approved"


def test_signature_covers_exactly_the_documented_payload(bench: Workbench) -> None:
    result = bench.sign(ANA, comment="Fine.")
    signature = result.review.signatures[0]
    signer = bench.identities.get(ANA)
    detail = bench.reviews.prepare("credit-scorer", "1.0")
    payload = signoff_payload(
        SignoffContent(
            card_version_sha256=detail.card_sha256,
            model="credit-scorer",
            version="1.0",
            template_id="standard",
            template_version=1,
            responses=[
                SignedResponse(r.item, r.answer, r.note, r.automatic, r.evidence)
                for r in signature.responses
            ],
            decision="approve",
            comment="Fine.",
            signed_at=signature.signed_at,
            signer_fingerprint=signer.fingerprint,
            chain=signature.chain,
            stage="staging",
            artifacts=[],
        )
    )
    # The sign-off signs the audit chain's head it extends: the newest event before it.
    assert signature.chain is not None
    with bench.db.read() as session:
        head_hash = session.execute(
            text("SELECT hash FROM audit_events WHERE id = :seq"), {"seq": signature.chain[0]}
        ).scalar()
        signed_event = session.execute(
            text("SELECT min(id) FROM audit_events WHERE id > :seq"), {"seq": signature.chain[0]}
        ).scalar()
    assert signature.chain[1] == head_hash and signed_event is not None
    assert payload["format_version"] == 2
    assert sorted(payload) == [
        "artifacts",
        "card_version_sha256",
        "chain",
        "comment",
        "decision",
        "format",
        "format_version",
        "model",
        "responses",
        "signed_at",
        "signer_fingerprint",
        "stage",
        "template",
        "version",
    ]
    data = payload_bytes(payload)
    assert data == canonical_json(json.loads(data)).encode("utf-8")
    assert data.startswith(b'{"artifacts":[],"card_version_sha256":"')  # sorted keys, no whitespace
    assert signature.signed_at.endswith("Z")
    public = x509.load_pem_x509_certificate(signer.certificate_pem.encode()).public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature.signature, data, ec.ECDSA(hashes.SHA256()))
    assert sha256(data).hexdigest() == result.payload_sha256
    assert detail.card_sha256 == bench.reviews.prepare("credit-scorer").card.sha256()


def test_prepare_shows_items_with_automatic_results(bench: Workbench) -> None:
    draft = bench.reviews.prepare("credit-scorer", "1.0")
    assert draft.template.reference == "standard@1"  # the one template for medium risk
    assert draft.risk_tier == "medium"
    results = {view.item.id: view.automatic for view in draft.items}
    assert results["monitoring-plan"] is None  # no automatic check: the reviewer decides
    licence = results["licence-stated"]
    assert licence is not None and licence.passed and "proprietary" in licence.evidence
    assert [t.template.id for t in bench.reviews.templates_for("credit-scorer")] == ["standard"]


def test_owner_addresses_are_found_in_free_text() -> None:
    assert emails_in("Jo Bloggs <Jo.Bloggs@Bank.example>; mailto:team@bank.example.") == {
        "jo.bloggs@bank.example",
        "team@bank.example",
    }
    assert emails_in("a" * 200_000) == set()  # linear on a long line with no address
    card = native_card("m", "1", model_details={"name": "m", "developers": ["ml@bank.example"]})
    assert card_owner_emails(card) == {"risk-analytics@example.com", "ml@bank.example"}
