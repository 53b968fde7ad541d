"""Card bundles: every refusal names the bundle and the entry or field; good bundles round-trip."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.formats.bundle import (
    MAX_BUNDLE_BYTES,
    MAX_ENTRIES,
    BundleRefused,
    BundleSigner,
    OpenedBundle,
    TeamKeyFiles,
    build_bundle,
    create_bundle,
    guess_media_type,
    open_bundle,
    read_bundle,
    unsafe_path_reason,
    write_bundle,
    zip_archive,
)
from countersign.formats.detect import read_card
from countersign.models.manifest import BundleManifest
from tests.helpers import bundles
from tests.helpers.bundles import Entry
from tests.helpers.mct import train_and_eval_card

NAME = "risk-team.cardbundle"


def refusal(data: bytes, name: str = NAME) -> BundleRefused:
    """The refusal of reading ``data``; fails the test if it is accepted."""
    with pytest.raises(BundleRefused) as caught:
        read_bundle(data, name)
    assert caught.value.file == name
    assert str(caught.value).startswith(f"{name}: ")
    return caught.value


def spoiled(change: dict[str, Any]) -> bytes:
    """The good bundle's files under its manifest with ``change`` merged in."""
    return bundles.with_manifest({**bundles.good_manifest(), **change})


# --- good bundles ---------------------------------------------------------


def test_good_bundle_reads_whole() -> None:
    data = bundles.good_bundle()
    opened = read_bundle(data, NAME)
    assert opened.file_name == NAME
    assert opened.sha256 == hashlib.sha256(data).hexdigest()
    assert opened.size == len(data)
    assert opened.manifest.team == "Credit Risk Analytics"
    assert [(c.entry.model, c.entry.version) for c in opened.cards] == [
        ("credit-scorer", "1.0.0"),
        ("credit-scorer", "2.0.0"),
    ]
    assert opened.cards[1].content == bundles.native_card_bytes("credit-scorer-v2.json")
    (plot,) = opened.attachments
    assert (plot.entry.path, plot.entry.card, plot.entry.media_type) == (
        "credit-scorer-v2/roc.png",
        "credit-scorer-v2.json",
        "image/png",
    )
    assert plot.content == bundles.tiny_png()
    assert json.loads(opened.manifest_bytes)["producer"] == "countersign tests"
    assert opened.signature_status == "absent"
    assert opened.signer_certificate_pem is None
    assert opened.signer_subject is None
    assert opened.signer_fingerprint is None


def test_folder_entries_and_non_ascii_paths_are_accepted() -> None:
    card = bundles.native_card_bytes("fraud-detector.yaml")
    cards = [("modèles/détection-fraude.yaml", card)]
    manifest = bundles.manifest_for(cards)
    data = bundles.bundle_of(
        manifest, cards, extra=[Entry("modèles/", external_attr=(0o40755 << 16) | 0x10)]
    )
    opened = read_bundle(data, NAME)
    assert opened.cards[0].entry.path == "modèles/détection-fraude.yaml"
    assert opened.cards[0].entry.model == "card-fraud-detector"


def test_create_bundle_round_trip_with_a_corpus_card(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    for name in ("credit-scorer-v1.json", "credit-scorer-v2.json", "fraud-detector.yaml"):
        shutil.copy(bundles.NATIVE_CARDS / name, folder / name)
    # A real Model Card Toolkit card that states no version: --version stands in.
    shutil.copy(corpus / "mct" / "intel-mcg-compas-recidivism.json", folder / "compas.json")
    (folder / "credit-scorer-v2").mkdir()
    (folder / "credit-scorer-v2" / "roc.png").write_bytes(bundles.tiny_png())
    (folder / "credit-scorer-v2" / "slices").mkdir()
    (folder / "credit-scorer-v2" / "slices" / "by-age.csv").write_text(
        "slice,auc\nage 18-25,0.771\nage 26-60,0.810\nage 61+,0.779\n"
    )
    output = tmp_path / "out" / "risk.cardbundle"
    output.parent.mkdir()

    manifest = create_bundle(
        folder, output, "Credit Risk Analytics", producer="countersign 0.1.0", version="2024.06"
    )

    opened = open_bundle(output)
    assert opened.manifest == manifest
    assert opened.file_name == "risk.cardbundle"
    assert opened.sha256 == hashlib.sha256(output.read_bytes()).hexdigest()
    assert [
        (c.entry.path, c.entry.model, c.entry.version, c.entry.format) for c in opened.cards
    ] == [
        (
            "compas.json",
            "COMPAS (Correctional Offender Management Profiling for Alternative Sanctions)",
            "2024.06",
            "mct",
        ),
        ("credit-scorer-v1.json", "credit-scorer", "1.0.0", "native-json"),
        ("credit-scorer-v2.json", "credit-scorer", "2.0.0", "native-json"),
        ("fraud-detector.yaml", "card-fraud-detector", "3.1", "native-yaml"),
    ]
    for card in opened.cards:
        assert card.content == (folder / card.entry.path).read_bytes()
        assert card.entry.sha256 == hashlib.sha256(card.content).hexdigest()
    assert [(a.entry.path, a.entry.card, a.entry.media_type) for a in opened.attachments] == [
        ("credit-scorer-v2/roc.png", "credit-scorer-v2.json", "image/png"),
        ("credit-scorer-v2/slices/by-age.csv", "credit-scorer-v2.json", "text/csv"),
    ]
    assert b"age 18-25,0.771" in opened.attachments[1].content
    # The importer reads each card's bytes itself; they are the cards as written.
    v2 = read_card(opened.cards[2].content, opened.cards[2].entry.path).card
    assert v2.caveats_and_recommendations.limitations[0].startswith("Evaluation outcomes cover 6")
    slices = {r.slice: r.value for r in v2.quantitative_analyses.results if r.name == "AUC"}
    assert slices["age 18-25"] == "0.771"
    assert manifest.team == "Credit Risk Analytics"
    assert manifest.created_at().tzinfo is not None
    text = opened.manifest_bytes.decode("utf-8")
    assert text.startswith('{\n  "format": "countersign-bundle",\n  "format_version": 1,')
    assert opened.signature_status == "absent"
    assert [p.name for p in output.parent.iterdir()] == ["risk.cardbundle"]


def test_create_bundle_signed_with_an_encrypted_key(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    signer = bundles.make_signer("Credit Risk Analytics release signing")
    key_path, cert_path = signer.write(tmp_path, passphrase=b"correct horse")
    output = tmp_path / "signed.cardbundle"
    create_bundle(
        folder,
        output,
        "Credit Risk Analytics",
        producer="tests",
        signing=TeamKeyFiles(key_path, cert_path, b"correct horse"),
    )
    opened = open_bundle(output)
    assert opened.signature_status == "valid"
    assert opened.signer_fingerprint == signer.fingerprint()
    assert opened.signer_subject == "O=Example Bank,CN=Credit Risk Analytics release signing"
    assert opened.signer_certificate_pem is not None
    pem = x509.load_pem_x509_certificate(opened.signer_certificate_pem)
    assert pem == signer.certificate
    names = zipfile.ZipFile(output).namelist()
    assert names[:3] == ["manifest.json", "manifest.sig", "signer.pem"]


def test_create_bundle_stores_what_would_look_like_a_bomb(tmp_path: Path) -> None:
    # 3 MiB of one repeated line deflates far beyond 100:1; stored, it reads back.
    folder = _fixture_folder(tmp_path)
    (folder / "credit-scorer-v2").mkdir()
    flat = b"0.000\n" * (512 * 1024)
    (folder / "credit-scorer-v2" / "scores.csv").write_bytes(flat)
    output = tmp_path / "flat.cardbundle"
    create_bundle(folder, output, "Credit Risk Analytics", producer="tests")
    info = zipfile.ZipFile(output).getinfo("credit-scorer-v2/scores.csv")
    assert info.compress_type == zipfile.ZIP_STORED
    assert open_bundle(output).attachments[0].content == flat


# --- signatures -------------------------------------------------------------


def test_signed_bundle_is_valid() -> None:
    signer = bundles.make_signer("Fraud Engineering")
    opened = read_bundle(bundles.signed_bundle(signer=signer), NAME)
    assert opened.signature_status == "valid"
    assert opened.signer_subject == "O=Example Bank,CN=Fraud Engineering"
    assert opened.signer_fingerprint == signer.fingerprint()


def test_manifest_changed_after_signing_is_refused() -> None:
    error = refusal(bundles.signed_bundle(tamper=True))
    assert error.field == "manifest.sig"
    assert "the signature does not match manifest.json" in str(error)
    assert "changed after it was signed" in str(error)


def test_signature_of_another_key_is_refused() -> None:
    other = bundles.make_signer("Someone Else")
    data = bundles.good_bundle()
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("manifest.json")
    error = refusal(bundles.signed_bundle(signature=other.sign(manifest)))
    assert error.field == "manifest.sig"
    assert "another key than the one in signer.pem" in str(error)


def test_garbage_signature_is_refused() -> None:
    error = refusal(bundles.signed_bundle(signature=b"not a DER signature"))
    assert f"{NAME}: manifest.sig: the signature does not match" in str(error)


def test_signature_without_certificate_is_refused() -> None:
    error = refusal(bundles.with_entries(Entry("manifest.sig", b"0E\x02\x20")))
    assert error.field == "manifest.sig"
    assert "no signer.pem" in str(error)


def test_certificate_without_signature_is_refused() -> None:
    pem = bundles.make_signer().certificate_pem()
    error = refusal(bundles.with_entries(Entry("signer.pem", pem)))
    assert error.field == "signer.pem"
    assert "no manifest.sig: the signature is missing" in str(error)


@pytest.mark.parametrize(
    ("make_key", "named"),
    [
        (lambda: None, "RSA-2048"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), "EC secp384r1"),
    ],
)
def test_signer_key_other_than_p256_is_refused(make_key: Any, named: str) -> None:
    key = make_key()
    signer = bundles.rsa_signer() if key is None else bundles.make_signer("P-384", key)
    error = refusal(bundles.signed_bundle(signer=signer))
    assert error.field == "signer.pem"
    assert f"the signer's key is {named}; bundles are signed with ECDSA P-256 keys" in str(error)


def test_unreadable_certificate_is_refused() -> None:
    data = bundles.with_entries(
        Entry("manifest.sig", b"0E"), Entry("signer.pem", b"-----BEGIN CERTIFICATE-----\nxx\n")
    )
    error = refusal(data)
    assert error.field == "signer.pem"
    assert "not a PEM X.509 certificate" in str(error)


# --- the zip itself ---------------------------------------------------------


def test_not_a_zip_is_refused() -> None:
    error = refusal(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "the file is not a zip file" in str(error)
    assert "countersign bundle create" in str(error)


def test_empty_file_is_refused() -> None:
    assert str(refusal(b"")) == f"{NAME}: the file is empty"


def test_zip_with_no_entries_is_refused() -> None:
    assert "the bundle is empty: the zip file holds no files" in str(refusal(bundles.empty_zip()))


def test_truncated_zip_is_refused() -> None:
    error = refusal(bundles.truncated_bundle())
    assert "the zip file is truncated or damaged" in str(error)
    assert "ask the team to send it again" in str(error)


def test_bad_crc_is_refused_naming_the_entry() -> None:
    error = refusal(bundles.corrupt_crc_bundle())
    assert error.field == "credit-scorer-v1.json"
    assert "the entry is damaged (Bad CRC-32" in str(error)


def test_bad_local_header_is_refused_naming_the_entry() -> None:
    error = refusal(bundles.bad_header_bundle())
    assert error.field == "credit-scorer-v1.json"
    assert "the entry is damaged (Bad magic number for file header)" in str(error)


def _deflated(content: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def test_a_deflated_card_changed_after_packing_is_refused_naming_it() -> None:
    (first, content), second = bundles.default_cards()
    changed = content.replace(b'"credit-scorer"', b'"Credit-scorer"')
    files = [
        Entry(
            "manifest.json", bundles.manifest_json(bundles.manifest_for([(first, content), second]))
        )
    ]
    files += [Entry(first, content, stored=_deflated(changed)), Entry(*second)]
    error = refusal(bundles.raw_zip(files))
    assert error.field == first
    assert "the entry is damaged (Bad CRC-32" in str(error)


def test_a_local_header_naming_another_file_is_refused_naming_the_entry() -> None:
    data = bytearray(bundles.good_bundle())
    offset = 0
    while True:  # the local header of the first card (its name follows the 30 fixed bytes)
        offset = data.index(b"PK\x03\x04", offset + 1)
        length = int.from_bytes(data[offset + 26 : offset + 28], "little")
        if data[offset + 30 : offset + 30 + length] == b"credit-scorer-v1.json":
            break
    data[offset + 30] = ord("C")
    error = refusal(bytes(data))
    assert error.field == "credit-scorer-v1.json"
    assert "the entry is damaged (File name in directory" in str(error)


def test_whole_entries_are_inflated_without_zipfiles_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored and deflated entries whose records hold are inflated straight with zlib
    (a third of the cost); zipfile's reader is left for anything unusual."""

    def unused(*_args: object) -> bytes:
        raise AssertionError("zipfile's reader was used for a whole entry")

    monkeypatch.setattr(zip_archive, "_read_entry", unused)
    stored = [
        Entry(path, content, method=zipfile.ZIP_STORED) for path, content in bundles.default_cards()
    ]
    for data in (
        bundles.good_bundle(),
        bundles.raw_zip(
            [
                Entry(
                    "manifest.json",
                    bundles.manifest_json(bundles.manifest_for(bundles.default_cards())),
                ),
                *stored,
            ]
        ),
    ):
        opened = read_bundle(data, NAME)
        assert [c.content for c in opened.cards] == [c for _, c in bundles.default_cards()]


def test_header_that_understates_the_size_is_refused() -> None:
    error = refusal(bundles.lying_size_bundle())
    assert error.field == "liar.json"
    assert "damaged" in str(error)


@pytest.mark.parametrize(
    "make", [bundles.duplicate_names_bundle, bundles.duplicate_names_by_zipfile]
)
def test_duplicate_entry_names_are_refused(make: Any) -> None:
    error = refusal(make())
    assert error.field == "credit-scorer-v1.json"
    assert "the zip holds two entries of this name" in str(error)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.md", "the path climbs out of the bundle with '..'"),
        ("notes/../../evil.md", "the path climbs out of the bundle with '..'"),
        ("/etc/cron.d/evil", "the path is absolute"),
        ("C:/Windows/evil.md", "the path starts with a drive letter"),
        ("c:evil.md", "the path starts with a drive letter"),
        ("..\\evil.md", "the path holds a backslash"),
        ("notes//evil.md", "the path has an empty or '.' component"),
        ("./evil.md", "the path has an empty or '.' component"),
        ("evil\x07.md", "the path holds control characters"),
    ],
)
def test_unsafe_entry_paths_are_refused(name: str, reason: str) -> None:
    error = refusal(bundles.path_bundle(name))
    assert error.field == name.replace("\x07", "\\x07")
    assert reason in str(error)


def test_unsafe_path_reason_accepts_plain_relative_paths() -> None:
    assert unsafe_path_reason("credit-scorer-v2/roc.png") is None
    assert unsafe_path_reason("a..b/c...md") is None
    assert unsafe_path_reason("credit-scorer-v2/", folder=True) is None
    assert unsafe_path_reason("credit-scorer-v2/") is not None


def test_symlink_entry_is_refused() -> None:
    error = refusal(bundles.symlink_bundle())
    assert error.field == "passwd.md"
    assert "the entry is a symbolic link; a bundle holds plain files only" in str(error)


def test_special_file_entry_is_refused() -> None:
    fifo = Entry("pipe", b"", external_attr=0o010644 << 16)
    assert "the entry is a special file" in str(refusal(bundles.with_entries(fifo)))


def test_encrypted_entry_is_refused() -> None:
    error = refusal(bundles.encrypted_bundle())
    assert error.field == "secret.md"
    assert "the entry is encrypted" in str(error)


def test_unknown_compression_method_is_refused() -> None:
    data = bundles.with_entries(Entry("odd.bin", b"x", method=99, stored=b"x"))
    assert "compressed with zip method 99" in str(refusal(data))


def test_entry_over_the_entry_limit_is_refused() -> None:
    error = refusal(bundles.oversized_entry_bundle())
    assert error.field == "big.csv"
    assert "the file unpacks to 65 MiB, over the 64 MiB limit for one file" in str(error)


def test_entries_over_the_total_limit_are_refused() -> None:
    error = refusal(bundles.over_total_bundle())
    assert "the files unpack to more than 512 MiB together" in str(error)


def test_high_compression_ratio_is_refused() -> None:
    error = refusal(bundles.high_ratio_bundle())
    assert error.field == "credit-scorer-v2/zeros.csv"
    assert "over the 100:1 limit); the bundle looks like a zip bomb" in str(error)


def test_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = bundles.zip_bomb()
    # It is a real bomb: zipfile inflates it to zeros, as far as one cares to read.
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        info = archive.getinfo("bomb.json")
        assert info.file_size == bundles.GiB
        with archive.open(info) as stream:
            assert stream.read(4 * bundles.MiB) == bytes(4 * bundles.MiB)
    path = bundles.write(tmp_path, "bomb.cardbundle", bomb)
    started = time.monotonic()
    with pytest.raises(BundleRefused) as caught:
        open_bundle(path)
    elapsed = time.monotonic() - started
    assert elapsed < 5  # a generous bound; it takes milliseconds
    assert str(caught.value) == (
        "bomb.cardbundle: bomb.json: the file unpacks to 1,024 MiB, over the 64 MiB limit "
        "for one file"
    )


def test_too_many_entries_are_refused() -> None:
    error = refusal(bundles.too_many_entries_bundle())
    assert f"the bundle has {MAX_ENTRIES + 1:,} entries, more than the 10,000 allowed" in str(error)


def test_too_many_entries_are_refused_when_the_count_lies() -> None:
    data = bundles.raw_zip([Entry(f"{i}.txt") for i in range(MAX_ENTRIES + 1)], declared_count=3)
    assert "more than the 10,000 allowed" in str(refusal(data))


def test_bundle_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.cardbundle"
    with path.open("wb") as stream:
        stream.truncate(MAX_BUNDLE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(BundleRefused) as caught:
        open_bundle(path)
    assert str(caught.value) == (
        "huge.cardbundle: the file is 512 MiB, over the 512 MiB limit for a bundle"
    )


def test_missing_bundle_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleRefused) as caught:
        open_bundle(tmp_path / "gone.cardbundle")
    assert str(caught.value).startswith("gone.cardbundle: there is no such file")


# --- the manifest -------------------------------------------------------------


def test_missing_manifest_is_refused() -> None:
    data = bundles.raw_zip([Entry(p, c) for p, c in bundles.default_cards()])
    error = refusal(data)
    assert error.field == "manifest.json"
    assert "the bundle has no manifest.json" in str(error)


def test_manifest_that_is_not_json_is_refused() -> None:
    error = refusal(bundles.with_manifest(b'{"format": "countersign-bundle",\n  team: 1}'))
    assert error.field == "manifest.json: line 2 column 3"
    assert "not valid JSON" in str(error)


def test_manifest_nested_too_deep_is_refused() -> None:
    error = refusal(bundles.with_manifest(b"[" * 100_000 + b"]" * 100_000))
    assert error.field.startswith("manifest.json: character 64")
    assert "nested more than 64 levels deep" in str(error)


def test_manifest_that_is_not_utf8_is_refused() -> None:
    error = refusal(bundles.with_manifest(b'{"team": "Cr\xe9dit"}'))
    assert error.field == "manifest.json: byte 12"
    assert "manifest.json is not UTF-8 text" in str(error)


def test_manifest_that_is_a_list_is_refused() -> None:
    error = refusal(bundles.with_manifest(b"[]"))
    assert str(error) == f"{NAME}: manifest.json: manifest.json holds a list, not an object"


def test_unknown_format_is_refused() -> None:
    error = refusal(spoiled({"format": "mlflow-model"}))
    assert error.field == "manifest.json: format"
    assert "is 'mlflow-model', not 'countersign-bundle'" in str(error)


def test_newer_format_version_is_refused() -> None:
    error = refusal(spoiled({"format_version": 2}))
    assert error.field == "manifest.json: format_version"
    assert "written by a newer Countersign? Update Countersign to import it" in str(error)


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (0, "there is no bundle format version 0"),
        ("1", "must be a whole number, not text"),
        (True, "must be a whole number, not true or false"),
        (None, "is missing"),
    ],
)
def test_unknown_format_version_is_refused(version: object, reason: str) -> None:
    error = refusal(spoiled({"format_version": version}))
    assert error.field == "manifest.json: format_version"
    assert reason in str(error)


def _card_field(change: dict[str, Any], index: int = 0) -> bytes:
    manifest = bundles.good_manifest()
    manifest["cards"][index] = {**manifest["cards"][index], **change}
    return bundles.with_manifest(manifest)


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        (lambda: spoiled({"team": 42}), "team", "must be text"),
        (lambda: spoiled({"team": "  "}), "team", "must not be empty"),
        (lambda: spoiled({"producer": None}), "producer", "must be text"),
        (lambda: spoiled({"created": "yesterday"}), "created", "must be an ISO-8601 date and time"),
        (lambda: spoiled({"created": "2024-06-03T09:30:00"}), "created", "must say its time zone"),
        (lambda: spoiled({"cards": []}), "cards", "must not be empty"),
        (lambda: spoiled({"cards": {"a": 1}}), "cards", "must be a list"),
        (lambda: spoiled({"signed_by": "me"}), "signed_by", "is not a key of this format version"),
        (
            lambda: _card_field({"sha256": "A" * 64}),
            "cards[0].sha256",
            "must be a SHA-256 in hex: 64 lowercase hexadecimal digits",
        ),
        (lambda: _card_field({"version": 2}, 1), "cards[1].version", "must be text"),
        (lambda: _card_field({"model": ""}), "cards[0].model", "must not be empty"),
        (lambda: _card_field({"model": "m" * 300}), "cards[0].model", "longer than 256 characters"),
    ],
)
def test_manifest_of_the_wrong_shape_is_refused(data: Any, field: str, reason: str) -> None:
    error = refusal(data())
    assert error.field == f"manifest.json: {field}"
    assert reason in str(error)


def test_missing_manifest_field_is_refused_with_a_count_of_the_rest() -> None:
    manifest = bundles.good_manifest()
    del manifest["team"], manifest["producer"]
    error = refusal(bundles.with_manifest(manifest))
    assert str(error) == f"{NAME}: manifest.json: team: is missing (and 1 more problem)"


def test_attachment_with_a_bad_media_type_is_refused() -> None:
    manifest = bundles.good_manifest()
    manifest["attachments"][0]["media_type"] = "a picture"
    error = refusal(bundles.with_manifest(manifest))
    assert error.field == "manifest.json: attachments[0].media_type"
    assert "must be a media type such as image/png" in str(error)


# --- the manifest against the files ---------------------------------------


def test_listed_file_missing_from_the_zip_is_refused() -> None:
    manifest = bundles.good_manifest()
    data = bundles.bundle_of(manifest, bundles.default_cards())  # no plot
    error = refusal(data)
    assert error.field == "manifest.json: attachments[0].path"
    assert "lists 'credit-scorer-v2/roc.png', but the bundle holds no such file" in str(error)


def test_file_not_listed_is_refused() -> None:
    error = refusal(bundles.with_entries(Entry("notes/todo.txt", b"remove before sending")))
    assert error.field == "notes/todo.txt"
    assert "the file is in the bundle but not listed in manifest.json" in str(error)


def test_same_path_listed_twice_is_refused() -> None:
    manifest = bundles.good_manifest()
    manifest["attachments"][0]["path"] = "credit-scorer-v1.json"
    error = refusal(bundles.with_manifest(manifest))
    assert error.field == "manifest.json: attachments[0].path"
    assert "'credit-scorer-v1.json' is listed twice (also at cards[0])" in str(error)


def test_same_model_version_listed_twice_is_refused() -> None:
    error = refusal(_card_field({"version": "1.0.0"}, 1))
    assert error.field == "manifest.json: cards[1]"
    assert "model 'credit-scorer' version '1.0.0' is listed twice (also at cards[0])" in str(error)


def test_attachment_of_an_unlisted_card_is_refused() -> None:
    manifest = bundles.good_manifest()
    manifest["attachments"][0]["card"] = "credit-scorer-v3.json"
    error = refusal(bundles.with_manifest(manifest))
    assert error.field == "manifest.json: attachments[0].card"
    assert "names 'credit-scorer-v3.json', which is not a card listed in the manifest" in str(error)


def test_sha256_mismatch_is_refused() -> None:
    cards = bundles.default_cards()
    manifest = bundles.manifest_for(cards)
    changed = cards[1][1].replace(b'"0.803"', b'"0.903"')
    error = refusal(bundles.bundle_of(manifest, [cards[0], (cards[1][0], changed)]))
    assert error.field == "credit-scorer-v2.json"
    assert f"the file's SHA-256 is {hashlib.sha256(changed).hexdigest()}" in str(error)
    assert "manifest.json (cards[1].sha256) says" in str(error)
    assert "changed after the manifest was written" in str(error)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../credit-scorer-v1.json", "climbs out of the bundle"),
        ("/credit-scorer-v1.json", "the path is absolute"),
        ("D:\\cards\\credit-scorer-v1.json", "the path holds a backslash"),
        ("manifest.sig", "is a name the bundle format keeps for itself"),
    ],
)
def test_unsafe_listed_paths_are_refused(path: str, reason: str) -> None:
    error = refusal(_card_field({"path": path}))
    assert error.field == "manifest.json: cards[0].path"
    assert reason in str(error)


def test_listed_path_that_is_a_folder_is_refused() -> None:
    cards = bundles.default_cards()
    manifest = bundles.manifest_for(cards)
    manifest["cards"][0]["path"] = "docs"
    data = bundles.bundle_of(
        manifest, cards[1:], extra=[Entry("docs/", external_attr=0o40755 << 16)]
    )
    assert "lists 'docs', but the bundle holds only a folder of that name" in str(refusal(data))


# --- creating bundles -------------------------------------------------------


def _fixture_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cards"
    folder.mkdir()
    for name in ("credit-scorer-v1.json", "credit-scorer-v2.json"):
        shutil.copy(bundles.NATIVE_CARDS / name, folder / name)
    return folder


def _create_refusal(folder: Path, output: Path, **options: Any) -> BundleRefused:
    with pytest.raises(BundleRefused) as caught:
        create_bundle(folder, output, "Credit Risk Analytics", producer="tests", **options)
    assert not output.exists()
    assert not [p for p in output.parent.iterdir() if p.name.endswith(".part")]
    return caught.value


def test_create_refuses_a_file_that_is_no_card(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    (folder / "zz-notes.json").write_text('{"todo": "write the card"}')
    error = _create_refusal(folder, tmp_path / "out.cardbundle")
    assert error.file == str(folder / "zz-notes.json")
    assert "not a card Countersign can read" in str(error)


def test_create_asks_for_a_version_when_a_card_states_none(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    card = train_and_eval_card()
    del card["model_details"]["version"]
    (folder / "unversioned.json").write_text(json.dumps(card), encoding="utf-8")
    error = _create_refusal(folder, tmp_path / "out.cardbundle")
    assert error.file == str(folder / "unversioned.json")
    assert error.field == "model_details.version"
    assert "pass --version" in str(error)


def test_create_refuses_a_folder_that_belongs_to_no_card(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    (folder / "plots").mkdir()
    (folder / "plots" / "roc.png").write_bytes(bundles.tiny_png())
    error = _create_refusal(folder, tmp_path / "out.cardbundle")
    assert error.file == str(folder / "plots")
    assert "the folder is not named after any card" in str(error)


def test_create_refuses_a_folder_two_cards_could_own(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    shutil.copy(bundles.NATIVE_CARDS / "fraud-detector.yaml", folder / "credit-scorer-v1.yaml")
    (folder / "credit-scorer-v1").mkdir()
    (folder / "credit-scorer-v1" / "roc.png").write_bytes(bundles.tiny_png())
    error = _create_refusal(folder, tmp_path / "out.cardbundle")
    assert "could belong to credit-scorer-v1.json or credit-scorer-v1.yaml" in str(error)


def test_create_refuses_two_cards_of_one_model_version(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    shutil.copy(folder / "credit-scorer-v1.json", folder / "copy-of-v1.json")
    error = _create_refusal(folder, tmp_path / "out.cardbundle")
    assert error.file == str(folder / "credit-scorer-v1.json")
    assert "describes credit-scorer version 1.0.0, as copy-of-v1.json does" in str(error)


def test_create_refuses_an_empty_folder_and_a_blank_team(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "the folder holds no card files" in str(
        _create_refusal(empty, tmp_path / "a.cardbundle")
    )
    folder = _fixture_folder(tmp_path)
    with pytest.raises(BundleRefused) as caught:
        create_bundle(folder, tmp_path / "b.cardbundle", " ", producer="tests")
    assert str(caught.value).endswith("b.cardbundle: team: must not be empty")


def test_create_refuses_to_write_into_the_card_folder(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    error = _create_refusal(folder, folder / "out.cardbundle")
    assert "inside the folder of cards it is made from" in str(error)


def test_create_refuses_a_wrong_passphrase(tmp_path: Path) -> None:
    folder = _fixture_folder(tmp_path)
    key_path, cert_path = bundles.make_signer().write(tmp_path, passphrase=b"right")
    error = _create_refusal(
        folder,
        tmp_path / "out.cardbundle",
        signing=TeamKeyFiles(key_path, cert_path, b"wrong"),
    )
    assert error.file == str(key_path)
    assert "or the passphrase is wrong" in str(error)
    error = _create_refusal(
        folder, tmp_path / "out.cardbundle", signing=TeamKeyFiles(key_path, cert_path)
    )
    assert "the private key is encrypted; give its passphrase" in str(error)


def test_create_refuses_a_certificate_of_another_key(tmp_path: Path) -> None:
    key_path, _cert = bundles.make_signer().write(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _key, other_cert = bundles.make_signer("Other").write(other)
    error = _create_refusal(
        _fixture_folder(tmp_path),
        tmp_path / "out.cardbundle",
        signing=TeamKeyFiles(key_path, other_cert),
    )
    assert error.file == str(other_cert)
    assert "the certificate is not the certificate of this key" in str(error)


def test_create_refuses_an_rsa_key(tmp_path: Path) -> None:
    key_path, cert_path = bundles.rsa_signer().write(tmp_path)
    error = _create_refusal(
        _fixture_folder(tmp_path),
        tmp_path / "out.cardbundle",
        signing=TeamKeyFiles(key_path, cert_path),
    )
    assert "the key is RSA-2048; bundles are signed with ECDSA P-256 keys" in str(error)


def test_create_accepts_a_passphrase_for_a_plain_key(tmp_path: Path) -> None:
    key_path, cert_path = bundles.make_signer().write(tmp_path)
    output = tmp_path / "out.cardbundle"
    create_bundle(
        _fixture_folder(tmp_path),
        output,
        "Credit Risk Analytics",
        producer="tests",
        signing=TeamKeyFiles(key_path, cert_path, b"set for every script"),
    )
    assert open_bundle(output).signature_status == "valid"


def test_failed_write_leaves_the_old_bundle_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out.cardbundle"
    output.write_bytes(b"the bundle sent last week")

    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(BundleRefused, match=r"out\.cardbundle: cannot be written \(No space left"):
        create_bundle(_fixture_folder(tmp_path), output, "Credit Risk Analytics", producer="tests")
    assert output.read_bytes() == b"the bundle sent last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards", "out.cardbundle"]


def test_write_bundle_checks_before_writing(tmp_path: Path) -> None:
    cards = bundles.default_cards()
    manifest = BundleManifest.model_validate(bundles.manifest_for(cards))
    output = tmp_path / "demo.cardbundle"
    opened = write_bundle(output, manifest, dict(cards))
    assert isinstance(opened, OpenedBundle)
    assert open_bundle(output).manifest == manifest
    wrong = {cards[0][0]: cards[0][1], cards[1][0]: b"{}"}
    with pytest.raises(
        BundleRefused, match=re.escape("other.cardbundle: credit-scorer-v2.json: the file's")
    ):
        write_bundle(tmp_path / "other.cardbundle", manifest, wrong)
    assert not (tmp_path / "other.cardbundle").exists()
    with pytest.raises(ValueError, match="missing"):
        build_bundle(manifest, dict(cards[:1]))


def test_build_bundle_signs_the_exact_manifest_bytes() -> None:
    team = bundles.make_signer()
    assert isinstance(team.key, ec.EllipticCurvePrivateKey)
    signer = BundleSigner(key=team.key, certificate=team.certificate)
    cards = bundles.default_cards()
    manifest = BundleManifest.model_validate(bundles.manifest_for(cards))
    opened = read_bundle(build_bundle(manifest, dict(cards), signer=signer), NAME)
    assert opened.signature_status == "valid"
    assert opened.signer_fingerprint == team.fingerprint()


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("roc.png", bundles.tiny_png(), "image/png"),
        ("roc.dat", bundles.tiny_png(), "image/png"),
        ("slices.csv", b"slice,auc\n", "text/csv"),
        ("report.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("notes.md", b"# Notes\n", "text/markdown"),
        ("weights.bin", b"\x00\x01", "application/octet-stream"),
    ],
)
def test_media_type_from_magic_bytes_then_extension(
    name: str, data: bytes, media_type: str
) -> None:
    assert guess_media_type(name, data) == media_type


def test_create_bundle_refuses_a_bom_of_several_models_saying_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    bom = Path(__file__).parents[2] / "fixtures" / "cards" / "cyclonedx" / "payments-ml-bom.json"
    shutil.copy(bom, folder / "payments-ml-bom.json")
    output = tmp_path / "payments.cardbundle"
    with pytest.raises(BundleRefused) as refused:
        create_bundle(folder, output, "Payments", producer="tests")
    assert refused.value.field == "components"
    assert refused.value.reason.startswith(
        "a BOM with 2 model cards ('card-fraud-detector', 'chargeback-predictor'), "
        "and a bundle entry holds one model"
    )
    assert not output.exists()
