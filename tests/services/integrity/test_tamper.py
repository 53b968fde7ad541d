"""The red team's attacks on the registry file, each named by ``audit --verify``.

Someone who can write the SQLite file drops the triggers and changes, deletes,
appends and re-hashes rows.  With the officer's certificate trusted (pinned on
this workstation, or ``--trust``), every attack below must be named; the
untouched registry must verify.  Events after the newest signed head can be
dropped without trace unless a checkpoint is kept elsewhere: that case is
here too, caught by the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.cli import main
from countersign.models.card import canonical_json
from countersign.services.audit.trail import GENESIS_HASH, event_hash
from countersign.services.identities.certificates import (
    certificate_fingerprint,
    make_self_signed,
    pem_of,
)
from countersign.services.integrity.checkpoint import read_checkpoint, write_checkpoint
from countersign.services.integrity.registry_check import RegistryCheck, verify_registry
from countersign.services.reviews.signoff_payload import (
    SignoffContent,
    payload_bytes,
    signoff_payload,
)
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors, anchors_from_pem
from countersign.services.trust.store import TrustStore
from tests.helpers.signoff import PASSPHRASE, medium_card, workbench

OLGA, ANA, CAL = "olga@example.org", "ana@example.org", "cal@example.org"

POLICY = "version: 1\ntitle: Office policy\nmetrics: [{name: approval rate, direction: higher}]\n"


@dataclass(frozen=True)
class Original:
    """The untouched registry (with its checkpoint) and the officer's certificate."""

    registry: Path
    checkpoint: Path
    officer_pem: str
    before_approval: int
    """The last event before 2.0 was approved."""


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Original]:
    """Olga founds it, grants Ana approver and Cal reviewer; 1.0 sent back, 2.0 approved."""
    folder = tmp_path_factory.mktemp("registry")
    with workbench(folder) as bench:
        bench.person(OLGA, "officer", "Olga Officer")
        bench.person(ANA, "approver", "Ana Approver")
        bench.person(CAL, "reviewer", "Cal Reviewer")
        policy = folder / "policy.yaml"
        policy.write_text(POLICY, encoding="utf-8")
        bench.services.policies.import_file(policy)
        bench.import_card(medium_card(version="1.0"))
        bench.sign(ANA, "changes", version="1.0", comment="The fairness section is missing.")
        bench.import_card(medium_card(version="2.0"))
        olga = bench.identities.unlock(OLGA, PASSPHRASE)
        bench.identities.retire(CAL, "moved to another team", signer=olga)
        before_approval = int(str(_scalar(bench.path, "SELECT max(id) FROM audit_events")))
        bench.sign(ANA, "approve", version="2.0", comment="Complete now.")
        checkpoint = folder / "checkpoint.json"
        write_checkpoint(bench.db, olga, checkpoint)
        officer_pem = bench.identities.get(OLGA).certificate_pem
        path = bench.path
    yield Original(path, checkpoint, officer_pem, before_approval)


@pytest.fixture
def registry(original: Original, tmp_path: Path) -> Path:
    """A copy of the original registry, its audit triggers dropped: the attacker's file."""
    copy = tmp_path / "registry.sqlite3"
    shutil.copy(original.registry, copy)
    for suffix in ("-wal", "-shm"):
        if Path(f"{original.registry}{suffix}").exists():
            shutil.copy(f"{original.registry}{suffix}", f"{copy}{suffix}")
    raw = sqlite3.connect(copy)
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("DROP TRIGGER audit_events_no_delete")
    raw.commit()
    raw.close()
    return copy


def _verify(path: Path, original: Original, checkpoint: bool = False) -> RegistryCheck:
    db = Database.open(str(path))
    try:
        with db.read() as session:
            anchors = TrustAnchors(anchors_from_pem(original.officer_pem, "test"))
            kept = read_checkpoint(original.checkpoint) if checkpoint else None
            return verify_registry(session, anchors, kept)
    finally:
        db.dispose()


def _found(result: RegistryCheck) -> str:
    """Everything the check said was wrong, as one text."""
    return "\n".join(line for good, line in result.lines() if not good)


def _sql(path: Path, *statements: str | tuple[str, tuple[object, ...]]) -> None:
    raw = sqlite3.connect(path)
    for statement in statements:
        if isinstance(statement, tuple):
            raw.execute(*statement)
        else:
            raw.execute(statement)
    raw.commit()
    raw.close()


def _rehash(path: Path, edit: Callable[[dict[str, object]], None] | None = None) -> None:
    """Recompute every event's link and hash in order, as a careful attacker would."""
    raw = sqlite3.connect(path)
    prev = GENESIS_HASH
    cursor = raw.execute("SELECT * FROM audit_events ORDER BY id")
    columns = [column[0] for column in cursor.description]
    for row in cursor.fetchall():
        event = dict(zip(columns, row, strict=True))
        if edit is not None:
            edit(event)
        digest = event_hash({**event, "id": int(str(event["id"])), "prev_hash": prev})
        raw.execute(
            "UPDATE audit_events SET actor = ?, details_json = ?, prev_hash = ?, hash = ? "
            "WHERE id = ?",
            (event["actor"], event["details_json"], prev, digest, event["id"]),
        )
        prev = digest
    raw.commit()
    raw.close()


def _append(
    path: Path, action: str, object_type: str, object_id: str, details: dict[str, object]
) -> None:
    """Append an event with a valid link and hash."""
    raw = sqlite3.connect(path)
    last_id, prev = raw.execute(
        "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    at = "2026-12-05T09:00:00.000000Z"
    details_json = canonical_json(details)
    digest = event_hash(
        {
            "id": last_id + 1,
            "at": at,
            "actor": "mallory",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "model_name": "",
            "details_json": details_json,
            "prev_hash": prev,
        }
    )
    raw.execute(
        "INSERT INTO audit_events (id, at, actor, action, object_type, object_id, model_name, "
        "details_json, prev_hash, hash) VALUES (?, ?, 'mallory', ?, ?, ?, '', ?, ?, ?)",
        (last_id + 1, at, action, object_type, object_id, details_json, prev, digest),
    )
    raw.commit()
    raw.close()


def _scalar(path: Path, query: str, *args: object) -> object:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(query, args).fetchone()[0]
    finally:
        raw.close()


# -- the untouched registry ------------------------------------------------------------------


def test_the_untouched_registry_verifies_with_its_signed_head(
    registry: Path, original: Original
) -> None:
    result = _verify(registry, original, checkpoint=True)
    assert result.ok, _found(result)
    assert result.anchored
    assert result.head is not None and result.head.what == "checkpoint"
    assert result.checkpoint.startswith("Checkpoint holds: event ")
    assert "Newest signed head: event " in result.describe_head()


# -- the attacks -----------------------------------------------------------------------------


def test_deleting_the_last_events_is_named(registry: Path, original: Original) -> None:
    last = int(str(_scalar(registry, "SELECT max(id) FROM audit_events")))
    _sql(registry, f"DELETE FROM audit_events WHERE id > {last - 3}")
    found = _found(_verify(registry, original))
    assert "is recorded by no audit event" in found or "no audit event records it" in found


def test_deleting_events_after_the_checkpoint_is_named_by_the_checkpoint(
    registry: Path, original: Original
) -> None:
    # The approval, rows and events alike, back to the retirement before it: only the
    # checkpoint kept elsewhere can tell.
    _sql(
        registry,
        "DELETE FROM review_responses WHERE signature_id = (SELECT max(id) FROM signatures)",
        "DELETE FROM signatures WHERE id = (SELECT max(id) FROM signatures)",
        "DELETE FROM reviews WHERE id = (SELECT max(id) FROM reviews)",
        "UPDATE card_versions SET status = 'submitted' WHERE version = '2.0'",
        "UPDATE models SET status = 'submitted'",
        f"DELETE FROM audit_events WHERE id > {original.before_approval}",
    )
    assert _verify(registry, original).ok  # the registry alone cannot know
    result = _verify(registry, original, checkpoint=True)
    assert not result.ok
    assert result.checkpoint.startswith("Checkpoint BROKEN: the checkpoint of ")
    assert "are missing" in result.checkpoint


def test_editing_a_middle_event_and_rehashing_the_rest_is_named(
    registry: Path, original: Original
) -> None:
    def edit(event: dict[str, object]) -> None:
        if event["id"] == 3:
            event["actor"] = "mallory"

    _rehash(registry, edit)
    result = _verify(registry, original)
    assert result.chain.ok  # the hashes are all consistent again...
    assert "was rewritten or re-hashed after it was signed" in _found(result)  # ...but signed


def test_appending_a_grant_with_a_valid_hash_is_named(registry: Path, original: Original) -> None:
    fingerprint = str(_scalar(registry, "SELECT fingerprint FROM identities WHERE email = ?", CAL))
    _append(
        registry,
        "identity.granted",
        "identity",
        fingerprint,
        {"email": CAL, "role": "approver", "from": "reviewer", "founding": False},
    )
    _sql(registry, ("UPDATE identities SET role = 'approver' WHERE email = ?", (CAL,)))
    result = _verify(registry, original)
    assert result.chain.ok
    assert "a grant of a role that nobody signed" in _found(result)


def test_an_attacker_identity_and_sign_off_are_named(registry: Path, original: Original) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_self_signed(key, "Mallory", "mallory@example.net", "approver")
    pem, fingerprint = pem_of(certificate), certificate_fingerprint(certificate)
    sha = str(_scalar(registry, "SELECT sha256 FROM card_versions WHERE version = '1.0'"))
    payload = signoff_payload(
        SignoffContent(
            card_version_sha256=sha,
            model="credit-scorer",
            version="1.0",
            template_id="standard",
            template_version=1,
            responses=[],
            decision="approve",
            comment="",
            signed_at="2026-12-05T09:00:00.000000Z",
            signer_fingerprint=fingerprint,
        )
    )
    signature = key.sign(payload_bytes(payload), ec.ECDSA(hashes.SHA256()))
    _sql(
        registry,
        (
            "INSERT INTO identities (name, email, role, fingerprint, subject, issuer, "
            "certificate_pem, chain_pem, source, not_before, not_after, created_at, created_by, "
            "retired_reason) VALUES ('Mallory', 'mallory@example.net', 'approver', ?, 's', 'i', "
            "?, '', 'self-signed', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 't', 'm', '')",
            (fingerprint, pem),
        ),
        "INSERT INTO reviews (card_version_id, template_record_id, status, opened_at, closed_at) "
        "SELECT id, 1, 'approved', 't', 't' FROM card_versions WHERE version = '1.0'",
        (
            "INSERT INTO signatures (review_id, identity_id, decision, comment, signed_at, "
            "signer_fingerprint, signature) SELECT (SELECT max(id) FROM reviews), "
            "(SELECT id FROM identities WHERE email = 'mallory@example.net'), 'approve', '', "
            "'2026-12-05T09:00:00.000000Z', ?, ?",
            (fingerprint, signature),
        ),
        "UPDATE card_versions SET status = 'approved' WHERE version = '1.0'",
    )
    signature_id = str(_scalar(registry, "SELECT max(id) FROM signatures"))
    _append(
        registry,
        "identity.created",
        "identity",
        fingerprint,
        {"email": "mallory@example.net", "name": "Mallory", "certificate_pem": pem},
    )
    _append(
        registry,
        "review.signed",
        "signature",
        signature_id,
        {
            "decision": "approve",
            "signer_fingerprint": fingerprint,
            "payload_sha256": hashlib.sha256(payload_bytes(payload)).hexdigest(),
        },
    )
    found = _found(_verify(registry, original))
    assert "held no role granted by a trusted officer" in found
    assert "marked 'approved', but its events" in found


def test_rekeying_an_identity_and_resigning_its_sign_offs_is_named(
    registry: Path, original: Original
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_self_signed(key, "Ana Approver", ANA, "approver")
    pem, fingerprint = pem_of(certificate), certificate_fingerprint(certificate)
    raw = sqlite3.connect(registry)
    raw.execute(
        "UPDATE identities SET certificate_pem = ?, fingerprint = ? WHERE email = ?",
        (pem, fingerprint, ANA),
    )
    raw.execute("UPDATE signatures SET signer_fingerprint = ?", (fingerprint,))
    raw.commit()
    raw.close()
    found = _found(_verify(registry, original))
    assert f"identity {ANA} ({fingerprint[:16]}…) is recorded by no audit event" in found


def test_erasing_a_round_and_forging_an_approval_is_named(
    registry: Path, original: Original
) -> None:
    _sql(
        registry,
        "DELETE FROM review_responses WHERE signature_id = 1",
        "DELETE FROM signatures WHERE id = 1",
        "UPDATE reviews SET status = 'approved' WHERE id = 1",
        "UPDATE card_versions SET status = 'approved' WHERE version = '1.0'",
    )
    found = _found(_verify(registry, original))
    assert "it records sign-off 1, which is not in the registry (removed)" in found
    assert "marked 'approved', but its events" in found


def test_setting_an_approved_version_back_to_submitted_is_named(
    registry: Path, original: Original
) -> None:
    _sql(registry, "UPDATE card_versions SET status = 'submitted' WHERE version = '2.0'")
    found = _found(_verify(registry, original))
    assert "credit-scorer 2.0 is marked 'submitted', but its events" in found


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            "UPDATE card_versions SET original = x'00' WHERE version = '2.0'",
            "its original bytes are not the ones imported",
        ),
        (
            "UPDATE card_versions SET canonical_json = replace(canonical_json, 'credit', 'debit') "
            "WHERE version = '2.0'",
            "its canonical JSON is not the one imported",
        ),
        (
            "UPDATE card_versions SET artifacts_json = "
            '\'[{"name": "model.onnx", "sha256": "\' || printf(\'%064d\', 0) || '
            '\'", "size": 1, "team_signature": "verified"}]\' WHERE version = \'2.0\'',
            "its model files (or whether the team signed them) are not the ones imported",
        ),
    ],
)
def test_editing_card_content_is_named(
    registry: Path, original: Original, change: str, named: str
) -> None:
    _sql(registry, change)
    assert f"card version credit-scorer 2.0: {named}" in _found(_verify(registry, original))


def test_changing_a_role_is_named(registry: Path, original: Original) -> None:
    _sql(registry, ("UPDATE identities SET role = 'officer' WHERE email = ?", (ANA,)))
    found = _found(_verify(registry, original))
    assert "has the role 'officer' in the registry, but its signed grants give 'approver'" in found


def test_backdating_a_retirement_is_named(registry: Path, original: Original) -> None:
    _sql(
        registry,
        (
            "UPDATE identities SET retired_at = '2026-01-01T00:00:00.000000Z' WHERE email = ?",
            (CAL,),
        ),
    )
    assert "(the retirement was moved)" in _found(_verify(registry, original))


def test_un_retiring_an_identity_is_named(registry: Path, original: Original) -> None:
    _sql(
        registry,
        ("UPDATE identities SET retired_at = NULL, retired_reason = '' WHERE email = ?", (CAL,)),
    )
    found = _found(_verify(registry, original))
    assert f"identity {CAL} (" in found
    assert "was retired by event " in found and "but is marked active" in found


def test_removing_an_identity_is_named(registry: Path, original: Original) -> None:
    _sql(registry, ("DELETE FROM identities WHERE email = ?", (CAL,)))
    assert f"it records the identity of {CAL}, which is not in the registry (removed)" in (
        _found(_verify(registry, original))
    )


def test_a_retirement_nobody_signed_is_named_in_a_note(registry: Path, original: Original) -> None:
    # Appending an unsigned retirement needs no key. It only takes power away (Ana can sign
    # nothing that counts after it), so the check takes it on the registry's word: it passes,
    # and says which retirement nobody signed.
    fingerprint = str(_scalar(registry, "SELECT fingerprint FROM identities WHERE email = ?", ANA))
    _append(
        registry,
        "identity.retired",
        "identity",
        fingerprint,
        {"email": ANA, "reason": "", "retired_at": "2026-12-05T09:00:00.000000Z"},
    )
    _sql(
        registry,
        (
            "UPDATE identities SET retired_at = '2026-12-05T09:00:00.000000Z' WHERE email = ?",
            (ANA,),
        ),
    )
    untouched = _verify(original.registry, original)
    assert not [n for n in untouched.notes if "nobody signed" in n]  # Cal's was signed
    result = _verify(registry, original)
    assert result.ok, _found(result)
    last = int(str(_scalar(registry, "SELECT max(id) FROM audit_events")))
    assert (
        "Retirements nobody signed, taken on the registry's word (a retirement only takes an "
        f"identity's power away): {ANA} (event {last})." in result.notes
    )


def test_retiring_the_officer_and_founding_the_registry_again_is_named(
    registry: Path, original: Original, tmp_path: Path
) -> None:
    # No key is needed to retire Olga on the registry's word; with no active officer left,
    # Countersign itself lets the next identity found the registry again, with its own key.
    fingerprint = str(_scalar(registry, "SELECT fingerprint FROM identities WHERE email = ?", OLGA))
    _append(
        registry,
        "identity.retired",
        "identity",
        fingerprint,
        {"email": OLGA, "reason": "", "retired_at": "2026-12-05T09:00:00.000000Z"},
    )
    _sql(
        registry,
        (
            "UPDATE identities SET retired_at = '2026-12-05T09:00:00.000000Z' WHERE email = ?",
            (OLGA,),
        ),
    )
    with workbench(tmp_path / "mallory", str(registry)) as bench:
        bench.identities.create("Mallory", "mallory@example.net", "officer", PASSPHRASE)
    result = _verify(registry, original)
    assert "the registry was founded by mallory@example.net (certificate " in _found(result)
    assert "which is not among the certificates trusted here" in _found(result)
    assert any(OLGA in note and "nobody signed" in note for note in result.notes)


# -- from the command line, with pinned trust or --trust ----------------------------------------


def test_the_command_names_an_attack_with_trust_given_or_pinned(
    registry: Path, original: Original, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    officer = tmp_path / "olga.pem"
    officer.write_text(original.officer_pem)
    _sql(registry, ("UPDATE identities SET role = 'officer' WHERE email = ?", (ANA,)))
    capsys.readouterr()
    assert main(["--db", str(registry), "audit", "--verify", "--trust", str(officer)]) == 1
    assert "its signed grants give 'approver'" in capsys.readouterr().err
    TrustStore().pin(original.officer_pem, "Olga Officer")
    assert main(["--db", str(registry), "audit", "--verify", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["anchored"] is True
    assert any("signed grants give 'approver'" in p for p in verdict["problems"])
    assert verdict["signed_head"]["act"] == "checkpoint"


def test_an_unknown_founder_is_named_when_another_officer_is_trusted(
    registry: Path, original: Original, tmp_path: Path
) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    pem = pem_of(make_self_signed(stranger, "Other", "other@example.org", "officer"))
    db = Database.open(str(registry))
    try:
        with db.read() as session:
            result = verify_registry(session, TrustAnchors(anchors_from_pem(pem, "test")))
    finally:
        db.dispose()
    assert "which is not among the certificates trusted here" in _found(result)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            "UPDATE metric_policies SET content_json = replace(content_json, 'higher', 'lower')",
            "metric policy version 1: its content is not the one imported",
        ),
        (
            "UPDATE metric_policies SET content_json = replace(content_json, 'higher', 'lower'), "
            "sha256 = 'x'",
            "metric policy version 1: its content is not the one imported",
        ),
        ("DELETE FROM metric_policies", "it records metric policy version 1, which is not in"),
        (
            "INSERT INTO metric_policies (version, title, content_json, sha256, source, "
            "stored_at, stored_by) SELECT 9, title, content_json, sha256, source, stored_at, "
            "stored_by FROM metric_policies",
            "metric policy version 9 is recorded by no import event",
        ),
    ],
)
def test_rewriting_the_metric_policy_is_named(
    registry: Path, original: Original, change: str, named: str
) -> None:
    assert not _found(_verify(registry, original))
    _sql(registry, change)
    assert named in _found(_verify(registry, original))
