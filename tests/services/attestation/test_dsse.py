"""DSSE envelopes: the pre-authentication encoding matches securesystemslib's; reading refuses by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.dsse import Envelope as SslibEnvelope

from countersign.services.attestation.dsse import (
    MAX_SIGNATURES,
    PAYLOAD_TYPE,
    EnvelopeUnreadable,
    certificate_path,
    pae,
    parse_envelope,
    read_envelope,
    sign_envelope,
)
from countersign.services.identities.certificates import make_self_signed


def test_pae_is_the_one_securesystemslib_computes() -> None:
    payload = '{"a": "é"}'.encode()
    theirs = SslibEnvelope(payload, PAYLOAD_TYPE, {}).pae()
    assert pae(PAYLOAD_TYPE, payload) == theirs
    assert theirs.startswith(b"DSSEv1 28 application/vnd.in-toto+json 11 ")


def test_an_envelope_round_trips_and_checks_its_signer(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_self_signed(key, "Olga", "olga@example.org", "officer")
    other = make_self_signed(ec.generate_private_key(ec.SECP256R1()), "Eve", "e@x.org", "")
    path = tmp_path / "x.intoto.json"
    path.write_bytes(sign_envelope(b"{}", key, certificate).file_bytes())
    read = read_envelope(path)
    assert read.payload == b"{}" and read.signed_by(certificate)
    assert not read.signed_by(other)
    assert certificate_path(path) == tmp_path / "x.intoto.pem"
    assert certificate_path(tmp_path / "x.dsse") == tmp_path / "x.dsse.pem"


def test_too_many_signatures_are_refused() -> None:
    value = {
        "payloadType": PAYLOAD_TYPE,
        "payload": "e30=",
        "signatures": [{"keyid": "k", "sig": "AA=="}] * (MAX_SIGNATURES + 1),
    }
    with pytest.raises(EnvelopeUnreadable, match=r"^a\.json: signatures: more than 16$"):
        parse_envelope(value, "a.json")


def test_a_control_character_in_the_type_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"payloadType": "a\x1b[2Jb", "payload": "", "signatures": []}))
    with pytest.raises(EnvelopeUnreadable) as refused:
        read_envelope(path)
    assert "\x1b" not in str(refused.value) and "\\x1b" in str(refused.value)
