"""Attacks by someone who holds their own key and passphrase and can write the registry.

README, "Trust: what holds": a sign-off counts only if its signer held, when it signed, a
role granted by a trusted officer; nothing signed after a retirement counts; an escalation
counts only if the role it was signed with was granted to its signer when it signed.  Each
attack below uses Countersign itself to sign (real keys, real signatures, a well-formed
chain), after changing the rows it reads; ``audit --verify``'s check must name it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.identities.errors import IdentityRetired
from countersign.services.integrity.registry_check import RegistryCheck, verify_registry
from countersign.services.reviews.reviews import Answer
from countersign.services.trust.anchors import TrustAnchors, anchors_from_pem
from tests.helpers.registry import raw_connection
from tests.helpers.signoff import PASSPHRASE, Workbench, fair_lending_card, medium_card, workbench

ANA, BEA, OLA = "ana@example.org", "bea@example.org", "ola@example.org"
NOTE = "0.78 for ages 18-24 is accepted: the Fair Lending Committee's memo FL-2026-11."


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    """Ola founds the registry (the officer trusted here); Ana and Bea are approvers."""
    with workbench(tmp_path, registry_db) as made:
        made.person(OLA, "officer")
        made.person(ANA, "approver")
        made.person(BEA, "approver")
        yield made


def _problems(bench: Workbench) -> str:
    anchors = TrustAnchors(anchors_from_pem(bench.identities.get(OLA).certificate_pem, "test"))
    with bench.db.read() as session:
        result: RegistryCheck = verify_registry(session, anchors)
    return "\n".join(line for good, line in result.lines() if not good)


def _write(bench: Workbench, *statements: str) -> None:
    """Change rows behind Countersign's back (the file is writable; no key is needed)."""
    with raw_connection(bench.path) as connection:
        for statement in statements:
            connection.execute(statement)


def test_an_approver_who_writes_herself_officer_fulfils_no_escalation(bench: Workbench) -> None:
    bench.import_card(fair_lending_card("2.0"))
    answers = bench.answers("high-risk")
    answers["adverse-impact"] = Answer("pass", NOTE)
    # Ana makes the registry say she is an officer, signs the officer's escalation with her
    # own key through Countersign, then puts her role back.
    _write(bench, f"UPDATE identities SET role = 'officer' WHERE email = '{ANA}'")
    signed = bench.sign(ANA, version="2.0", template="high-risk", answers=answers)
    assert signed.review.signatures[0].escalations.signed == ("fair-lending",)
    _write(bench, f"UPDATE identities SET role = 'approver' WHERE email = '{ANA}'")
    # Bea's plain approval then closes the round, as far as the rows go.
    assert bench.sign(BEA, version="2.0", template="high-risk", answers=answers).card_status == (
        "approved"
    )
    found = _problems(bench)
    assert (
        "it fulfils the escalation fair-lending as officer, but its signer was approver when "
        "it signed" in found
    ), found


def test_a_retired_key_that_signs_again_counts_nothing(bench: Workbench) -> None:
    bench.import_card(medium_card(version="1.0"))
    kept = dict(bench.keyring.entries)  # Ana keeps a copy of her key (her PKCS#12 file)
    bench.identities.retire(ANA, "left the bank", signer=bench.identities.unlock(OLA, PASSPHRASE))
    with pytest.raises(IdentityRetired):
        bench.sign(ANA, version="1.0")
    # She brings her key back, makes the registry say she is active, approves, and puts the
    # retirement back as it was.
    retired_at = _retired_at(bench)
    bench.keyring.entries.update(kept)
    _write(bench, f"UPDATE identities SET retired_at = NULL WHERE email = '{ANA}'")
    assert bench.sign(ANA, version="1.0").card_status == "approved"
    _write(bench, f"UPDATE identities SET retired_at = '{retired_at}' WHERE email = '{ANA}'")
    found = _problems(bench)
    assert "its signer was retired (event " in found and ") before it signed" in found, found
    assert "the review says 'approved', but its valid sign-offs make it 'in review'" in found


def _retired_at(bench: Workbench) -> str:
    with raw_connection(bench.path) as connection:
        row = connection.execute(
            f"SELECT retired_at FROM identities WHERE email = '{ANA}'"
        ).fetchone()
    return str(row[0])
