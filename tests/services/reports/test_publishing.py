"""Publishing an approved card version: the files, their checksums, and every refusal."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.formats.huggingface.readme import read_huggingface
from countersign.models.card import ModelCard
from countersign.services.identities.certificates import load_certificate
from countersign.services.reports.errors import PublishRefused
from countersign.services.reports.publishing import _check_name
from countersign.services.reports.reports import PublishSource, ReportSigner
from tests.helpers.registry import audit_actions, last_audit_details
from tests.helpers.reports import ANA, OLGA, ReportBench, markup_card, report_bench
from tests.helpers.signoff import PASSPHRASE, workbench


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[ReportBench]:
    with report_bench(tmp_path / "registry", db=registry_db) as made:
        made.bench.import_card(markup_card("2.0"))  # submitted, not approved
        yield made


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_an_approved_version_is_published_whole(bench: ReportBench, tmp_path: Path) -> None:
    folder = tmp_path / "published"
    result = bench.reports.publish(
        "credit-scorer", "1.0", folder, PublishSource(identity=OLGA, passphrase=PASSPHRASE)
    )
    fingerprint = bench.bench.identities.get(ANA).fingerprint
    assert _files(folder) == sorted(
        [
            "README.md",
            "SHA256SUMS",
            "attestations/staging.intoto.json",
            "attestations/staging.intoto.pem",
            "card.canonical.json",
            "card.json",
            "review-report.pdf",
            f"sign-offs/certificate-{fingerprint[:16]}.pem",
            "sign-offs/sign-off-1.json",
            "sign-offs/sign-off-1.sig",
        ]
    )
    assert sorted(f.name for f in result.files) == _files(folder)
    assert [f.name for f in result.files][-1] == "SHA256SUMS"
    canonical = (folder / "card.canonical.json").read_bytes()
    assert hashlib.sha256(canonical).hexdigest() == result.card_sha256
    assert ModelCard.model_validate_json((folder / "card.json").read_text()).canonical_json() == (
        canonical.decode()
    )
    read = read_huggingface((folder / "README.md").read_text(), "README.md")
    assert read.card.model_details.name == "credit-scorer"
    assert read.card.license == "proprietary"
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    verification = bench.reports.verify(folder / "review-report.pdf")
    assert verification.ok and verification.status == "approved"

    payload = (folder / "sign-offs/sign-off-1.json").read_bytes()
    signature = (folder / "sign-offs/sign-off-1.sig").read_bytes()
    pem = (folder / f"sign-offs/certificate-{fingerprint[:16]}.pem").read_bytes()
    key = load_certificate(pem).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))  # raises if it does not verify

    assert audit_actions(bench.bench.path)[-1] == "card_version.published"
    details = last_audit_details(bench.bench.path)
    assert details["folder"] == "published"
    assert details["files"]["review-report.pdf"] == result.report_sha256


def test_only_approved_versions_are_published(bench: ReportBench, tmp_path: Path) -> None:
    folder = tmp_path / "published"
    events = len(audit_actions(bench.bench.path))
    with pytest.raises(PublishRefused) as refused:
        bench.reports.publish(
            "credit-scorer", "2.0", folder, PublishSource(identity=OLGA, passphrase=PASSPHRASE)
        )
    assert str(refused.value) == (
        "credit-scorer 2.0 is submitted, not approved; only approved card versions are published"
    )
    assert not folder.exists()
    assert len(audit_actions(bench.bench.path)) == events


def test_a_folder_that_is_not_new_or_empty_is_refused(bench: ReportBench, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    cases = {
        full: f"{full} is not empty; give a new or empty folder",
        a_file: f"{a_file} is a file, not a folder",
        link: f"{link} is a symbolic link; give a real folder",
        tmp_path / "no" / "such": f"cannot create {tmp_path / 'no' / 'such'}: the folder "
        f"{tmp_path / 'no'} does not exist",
    }
    for folder, message in cases.items():
        with pytest.raises(PublishRefused) as refused:
            bench.reports.publish(
                "credit-scorer", "1.0", folder, PublishSource(identity=OLGA, passphrase=PASSPHRASE)
            )
        assert str(refused.value) == message
    assert (full / "keep.txt").read_text() == "mine" and _files(full) == ["keep.txt"]
    assert not (tmp_path / "elsewhere").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_empty_folder_is_filled(bench: ReportBench, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    bench.reports.publish(
        "credit-scorer", "1.0", folder, PublishSource(identity=OLGA, passphrase=PASSPHRASE)
    )
    assert "review-report.pdf" in _files(folder)


def test_an_exported_report_can_be_published_if_it_verifies(
    bench: ReportBench, tmp_path: Path
) -> None:
    report = bench.export(tmp_path / "r.pdf")
    result = bench.reports.publish(
        "credit-scorer", "1.0", tmp_path / "out", PublishSource(report=report)
    )
    assert (tmp_path / "out" / "review-report.pdf").read_bytes() == report.read_bytes()
    assert result.report_sha256 == hashlib.sha256(report.read_bytes()).hexdigest()

    tampered = tmp_path / "tampered.pdf"
    data = bytearray(report.read_bytes())
    data[data.index(b"ReportLab PDF Library") + 3] ^= 1
    tampered.write_bytes(bytes(data))
    with pytest.raises(PublishRefused, match=r"tampered\.pdf is not a valid signed report"):
        bench.reports.publish(
            "credit-scorer", "1.0", tmp_path / "out2", PublishSource(report=tampered)
        )
    assert not (tmp_path / "out2").exists()


def test_a_report_from_before_the_approval_is_refused(tmp_path: Path) -> None:
    with report_bench(tmp_path / "registry", approve=False) as bench:
        early = bench.export(tmp_path / "early.pdf")
        bench.bench.sign(ANA)
        with pytest.raises(PublishRefused) as refused:
            bench.reports.publish(
                "credit-scorer", "1.0", tmp_path / "out", PublishSource(report=early)
            )
        assert str(refused.value) == (
            f"{early} was exported while credit-scorer 1.0 was submitted; export the report "
            "again now that it is approved"
        )
        with pytest.raises(PublishRefused, match="give --identity EMAIL to sign one now"):
            bench.reports.publish("credit-scorer", "1.0", tmp_path / "out", PublishSource())
        assert not (tmp_path / "out").exists()


def test_a_report_of_another_version_is_refused(tmp_path: Path) -> None:
    with report_bench(tmp_path / "registry") as bench:
        bench.bench.import_card(markup_card("2.0"))
        bench.bench.sign(ANA, version="2.0")
        other = bench.export(tmp_path / "v2.pdf", "2.0")
        with pytest.raises(
            PublishRefused, match=r"reports on credit-scorer 2\.0, not on credit-scorer 1\.0"
        ):
            bench.reports.publish(
                "credit-scorer", "1.0", tmp_path / "out", PublishSource(report=other)
            )


def test_a_report_signed_outside_the_registry_is_not_published(
    bench: ReportBench, tmp_path: Path
) -> None:
    # Mallory imports the very same card into a registry of her own, founds it, approves it
    # and exports a signed report: valid on its own, but no signer the office trusts.
    with workbench(tmp_path / "mallory") as forged:
        forged.person("mallory@example.net", "officer", "Mallory")
        forged.import_card(markup_card())
        forged.sign("mallory@example.net", version="1.0")
        foreign = tmp_path / "foreign.pdf"
        forged.services.reports.export(
            "credit-scorer", "1.0", ReportSigner("mallory@example.net", PASSPHRASE), foreign
        )
        assert forged.services.reports.verify(foreign).ok
    with pytest.raises(PublishRefused, match=r"foreign\.pdf is not a valid signed report"):
        bench.reports.publish(
            "credit-scorer", "1.0", tmp_path / "out", PublishSource(report=foreign)
        )
    assert not (tmp_path / "out").exists()


def test_names_never_climb_out_of_the_folder() -> None:
    for name in ("../x", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(AssertionError):
            _check_name(name)
    _check_name("sign-offs/sign-off-1.json")


def test_a_failed_write_leaves_no_folder(
    bench: ReportBench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    folder = tmp_path / "out"
    events = len(audit_actions(bench.bench.path))
    with pytest.raises(PublishRefused, match="No space left on device; nothing was published"):
        bench.reports.publish(
            "credit-scorer", "1.0", folder, PublishSource(identity=OLGA, passphrase=PASSPHRASE)
        )
    assert not folder.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    assert len(audit_actions(bench.bench.path)) == events
