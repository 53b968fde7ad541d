"""Reviewer identities: keys only in the keyring, certificates in the registry, every refusal."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from keyring.backends import fail

from countersign.services.audit.trail import verify_chain
from countersign.services.identities.certificates import certificate_emails, load_certificate
from countersign.services.identities.errors import (
    CredentialRefused,
    IdentityError,
    IdentityExists,
    IdentityNotFound,
    IdentityRetired,
    KeyMissing,
    KeystoreUnavailable,
    WeakPassphrase,
    WrongPassphrase,
)
from countersign.services.identities.identities import Identities, Pkcs12File
from countersign.services.identities.keystore import SERVICE, Keystore
from countersign.services.trust.acts import read_act
from tests.helpers.keyring_memory import RefusingKeyring
from tests.helpers.registry import audit_actions, raw_connection, stored_bytes
from tests.helpers.signoff import PASSPHRASE, Workbench, issued_pkcs12, table_counts, workbench


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as made:
        yield made


def test_create_makes_p256_key_in_keyring_and_two_year_self_signed_certificate(
    bench: Workbench,
) -> None:
    made = bench.identities.create("Ana Approver", "Ana@Example.org ", "officer", PASSPHRASE)
    assert (made.name, made.email, made.role, made.source) == (
        "Ana Approver",
        "ana@example.org",
        "officer",
        "self-signed",
    )
    certificate = load_certificate(made.certificate_pem)
    assert certificate.fingerprint(hashes.SHA256()).hex() == made.fingerprint
    assert certificate.subject == certificate.issuer
    certificate.verify_directly_issued_by(certificate)
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)
    assert certificate_emails(certificate) == ["ana@example.org"]
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert datetime.timedelta(days=730) <= lifetime <= datetime.timedelta(days=730, minutes=10)
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment

    stored = bench.keyring.entries[(SERVICE, made.fingerprint)]
    assert stored.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert list(bench.keyring.entries) == [(SERVICE, made.fingerprint)]

    # The registry file holds the certificate, never the key.
    raw = stored_bytes(bench.path)
    assert b"PRIVATE KEY" not in raw
    assert made.fingerprint.encode() in raw
    assert audit_actions(bench.path)[-2:] == ["identity.created", "identity.granted"]


def test_signing_key_unlocks_with_the_passphrase_only(bench: Workbench) -> None:
    made = bench.person("ana@example.org")
    signing = bench.identities.unlock("ana@example.org", PASSPHRASE)
    signature = signing.sign(b"payload")
    public = load_certificate(made.certificate_pem).public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"payload", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(WrongPassphrase, match=r"the passphrase is wrong"):
        bench.identities.unlock("ana@example.org", "not the passphrase")


def test_no_keyring_refuses_and_stores_nothing(bench: Workbench) -> None:
    before = table_counts(bench.path)
    identities = Identities(bench.db, Keystore(fail.Keyring()))
    with pytest.raises(KeystoreUnavailable, match=r"No usable keyring"):
        identities.create("Ana", "ana@example.org", "approver", PASSPHRASE)
    assert table_counts(bench.path) == before


def test_keyring_refusing_to_store_rolls_the_registry_back(bench: Workbench) -> None:
    before = table_counts(bench.path)
    identities = Identities(bench.db, Keystore(RefusingKeyring()))
    with pytest.raises(KeystoreUnavailable, match=r"refused to store the key"):
        identities.create("Ana", "ana@example.org", "officer", PASSPHRASE)
    assert table_counts(bench.path) == before
    assert identities.list_all() == []


@pytest.mark.parametrize(
    ("name", "email", "role", "passphrase", "error", "message"),
    [
        ("Ana", "not-an-address", "approver", PASSPHRASE, IdentityError, "is not an e-mail"),
        ("Ana", "ana@example.org", "boss", PASSPHRASE, IdentityError, "unknown role 'boss'"),
        ("", "ana@example.org", "approver", PASSPHRASE, IdentityError, "give the reviewer's name"),
        ("Ana", "ana@example.org", "approver", "short", WeakPassphrase, "at least 8 characters"),
    ],
)
def test_bad_identity_details_are_refused(  # noqa: PLR0913  # pytest passes fixtures and parameters by name
    bench: Workbench,
    name: str,
    email: str,
    role: str,
    passphrase: str,
    error: type[Exception],
    message: str,
) -> None:
    before = table_counts(bench.path)
    with pytest.raises(error, match=message):
        bench.identities.create(name, email, role, passphrase)
    assert table_counts(bench.path) == before
    assert bench.keyring.entries == {}


def test_second_active_identity_for_one_address_is_refused(bench: Workbench) -> None:
    first = bench.person("ana@example.org")
    with pytest.raises(IdentityExists, match=r"already has an identity .* retire it first"):
        bench.person("ANA@example.org")
    listed = [i.fingerprint for i in bench.identities.list_all() if i.email == "ana@example.org"]
    assert listed == [first.fingerprint]
    assert len(bench.keyring.entries) == 2  # Ana's and the founding officer's


def test_change_passphrase(bench: Workbench) -> None:
    bench.person("ana@example.org")
    with pytest.raises(WrongPassphrase):
        bench.identities.change_passphrase("ana@example.org", "wrong passphrase", "new passphrase!")
    with pytest.raises(WeakPassphrase):
        bench.identities.change_passphrase("ana@example.org", PASSPHRASE, "short")
    bench.identities.unlock("ana@example.org", PASSPHRASE)  # unchanged by the refusals
    bench.identities.change_passphrase("ana@example.org", PASSPHRASE, "new passphrase!")
    bench.identities.unlock("ana@example.org", "new passphrase!")
    with pytest.raises(WrongPassphrase):
        bench.identities.unlock("ana@example.org", PASSPHRASE)
    assert audit_actions(bench.path)[-1] == "identity.passphrase_changed"


def test_retired_identity_cannot_sign_and_a_new_one_can_be_made(bench: Workbench) -> None:
    old = bench.person("ana@example.org")
    retired, removed = bench.identities.retire("ana@example.org", "left the bank")
    assert removed and retired.retired_at is not None
    assert (SERVICE, old.fingerprint) not in bench.keyring.entries
    with pytest.raises(IdentityRetired, match=r"retired on .* can no longer sign"):
        bench.identities.unlock("ana@example.org", PASSPHRASE)
    with pytest.raises(IdentityRetired, match=r"already retired"):
        bench.identities.retire("ana@example.org")
    new = bench.person("ana@example.org")
    listed = [i for i in bench.identities.list_all() if i.email == "ana@example.org"]
    assert [(i.fingerprint, i.active) for i in listed] == [
        (new.fingerprint, True),
        (old.fingerprint, False),
    ]
    assert listed[1].retired_reason == "left the bank"
    assert bench.identities.get("ana@example.org").fingerprint == new.fingerprint
    assert bench.identities.by_fingerprint(old.fingerprint).email == "ana@example.org"
    assert "identity.retired" in audit_actions(bench.path)
    with bench.db.read() as session:
        assert verify_chain(session).ok


def test_key_missing_from_this_keyring_is_explained(bench: Workbench) -> None:
    made = bench.person("ana@example.org")
    bench.keyring.entries.clear()
    with pytest.raises(KeyMissing, match=r"holds no private key for ana@example.org"):
        bench.identities.unlock("ana@example.org", PASSPHRASE)
    assert made.active


def test_unknown_identity(bench: Workbench) -> None:
    with pytest.raises(IdentityNotFound, match=r"no identity for bob@example.org"):
        bench.identities.unlock("bob@example.org", PASSPHRASE)


def test_import_pkcs12_keeps_the_chain_and_reads_the_address(bench: Workbench) -> None:
    data, leaf, ca = issued_pkcs12("bea@example.org", b"p12 password")
    path = bench.folder / "bea.p12"
    path.write_bytes(data)
    made = bench.identities.import_pkcs12(Pkcs12File(path, "p12 password"), PASSPHRASE, "officer")
    assert (made.name, made.email, made.source) == ("Bea Approver", "bea@example.org", "pkcs12")
    assert made.issuer == ca.subject.rfc4514_string()
    assert load_certificate(made.chain_pem) == ca
    assert load_certificate(made.certificate_pem) == leaf
    exported = bench.identities.certificate_pem("bea@example.org", chain=True)
    assert exported.count("BEGIN CERTIFICATE") == 2
    assert bench.identities.unlock("bea@example.org", PASSPHRASE).certificate == leaf
    assert audit_actions(bench.path)[-2:] == ["identity.imported", "identity.granted"]
    with pytest.raises(IdentityExists):
        bench.identities.import_pkcs12(Pkcs12File(path, "p12 password"), PASSPHRASE, "officer")


def test_import_pkcs12_refusals(bench: Workbench) -> None:
    data, _leaf, _ca = issued_pkcs12("bea@example.org", b"p12 password")
    path = bench.folder / "bea.p12"
    path.write_bytes(data)
    with pytest.raises(CredentialRefused, match=r"bea.p12: the password is wrong"):
        bench.identities.import_pkcs12(Pkcs12File(path, "guess"), PASSPHRASE, "approver")
    with pytest.raises(CredentialRefused, match=r"the certificate is for bea@example.org"):
        bench.identities.import_pkcs12(
            Pkcs12File(path, "p12 password", email="mallory@example.org"), PASSPHRASE, "approver"
        )
    rsa_data, _, _ = issued_pkcs12(
        "bea@example.org", None, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    rsa_path = bench.folder / "rsa.p12"
    rsa_path.write_bytes(rsa_data)
    with pytest.raises(CredentialRefused, match=r"private key: the key is RSA-2048"):
        bench.identities.import_pkcs12(Pkcs12File(rsa_path, None), PASSPHRASE, "approver")
    anonymous, _, _ = issued_pkcs12(None, None)
    anonymous_path = bench.folder / "anon.p12"
    anonymous_path.write_bytes(anonymous)
    with pytest.raises(CredentialRefused, match=r"names no e-mail address; give --email"):
        bench.identities.import_pkcs12(Pkcs12File(anonymous_path, None), PASSPHRASE, "approver")
    not_p12 = bench.folder / "notes.p12"
    not_p12.write_bytes(b"these are notes")
    with pytest.raises(CredentialRefused, match=r"not a PKCS#12"):
        bench.identities.import_pkcs12(Pkcs12File(not_p12, None), PASSPHRASE, "approver")
    assert table_counts(bench.path)["identities"] == 0
    assert bench.keyring.entries == {}
    made = bench.identities.import_pkcs12(
        Pkcs12File(anonymous_path, None, email="bea@example.org"), PASSPHRASE, "officer"
    )
    assert made.email == "bea@example.org"


def test_expired_certificate_cannot_sign(bench: Workbench) -> None:
    bench.person("ana@example.org")
    with raw_connection(bench.path) as connection:
        connection.execute("UPDATE identities SET not_after = '2020-01-01T00:00:00Z'")
        connection.commit()
    with pytest.raises(IdentityError, match=r"expired on 2020-01-01T00:00:00Z"):
        bench.identities.unlock("ana@example.org", PASSPHRASE)


def test_roles_are_granted_by_an_officer_not_asserted(bench: Workbench) -> None:
    founder = bench.identities.create("Olga Officer", "olga@example.org", "", PASSPHRASE)
    assert founder.role == "officer"  # the first identity of a new registry is its officer
    before = table_counts(bench.path)
    with pytest.raises(IdentityError, match=r"roles are granted by an officer: .*nothing was"):
        bench.identities.create("Ana", "ana@example.org", "approver", PASSPHRASE)
    assert table_counts(bench.path) == before
    ana = bench.identities.create("Ana", "ana@example.org", "", PASSPHRASE)
    assert ana.role == ""
    officer = bench.identities.unlock("olga@example.org", PASSPHRASE)
    not_officer = bench.identities.unlock("ana@example.org", PASSPHRASE)
    with pytest.raises(IdentityError, match=r"ana@example.org is not an active officer"):
        bench.identities.grant("ana@example.org", "approver", not_officer)
    granted = bench.identities.grant("ana@example.org", "approver", officer)
    assert granted.role == "approver"
    with pytest.raises(IdentityError, match=r"already has the role approver; nothing changed"):
        bench.identities.grant("ana@example.org", "approver", officer)
    assert audit_actions(bench.path)[-1] == "identity.granted"
    with raw_connection(bench.path) as connection:
        details = [
            json.loads(row[0])
            for row in connection.execute(
                "SELECT details_json FROM audit_events WHERE action = 'identity.granted'"
            )
        ]
    assert [(d["email"], d["role"], d["founding"]) for d in details] == [
        ("olga@example.org", "officer", True),
        ("ana@example.org", "approver", False),
    ]
    act = read_act(details[1]["signed"])
    assert act is not None and act.problem() == ""
    assert act.signer_fingerprint == founder.fingerprint
    assert act.subject["fingerprint"] == ana.fingerprint


def test_the_first_identity_cannot_be_anything_but_the_officer(bench: Workbench) -> None:
    with pytest.raises(IdentityError, match=r"the first identity of a new registry is its officer"):
        bench.identities.create("Ana", "ana@example.org", "approver", PASSPHRASE)
    assert table_counts(bench.path)["identities"] == 0
    assert bench.keyring.entries == {}


def test_retirement_signed_by_the_identity_itself(bench: Workbench) -> None:
    bench.person("ana@example.org")
    signing = bench.identities.unlock("ana@example.org", PASSPHRASE)
    retired, _removed = bench.identities.retire("ana@example.org", "moved on", signer=signing)
    with raw_connection(bench.path) as connection:
        details = json.loads(
            connection.execute(
                "SELECT details_json FROM audit_events WHERE action = 'identity.retired'"
            ).fetchone()[0]
        )
    act = read_act(details["signed"])
    assert act is not None and act.problem() == ""
    assert act.subject["retired_at"] == retired.retired_at
