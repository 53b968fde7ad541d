"""The manifest's ``model_signatures``: listed like every other file, each for a listed card."""

from __future__ import annotations

import pytest

from countersign.formats.bundle import BundleRefused, read_bundle
from tests.helpers.bundles import NATIVE_CARDS, bundle_of, manifest_for, sha256_hex

CARD = ("credit-scorer.json", (NATIVE_CARDS / "credit-scorer-v1.json").read_bytes())
SIGNATURE = b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}'


def _bundle(entry: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    manifest = manifest_for([CARD])
    manifest["model_signatures"] = [entry]
    return bundle_of(manifest, [CARD, *files])


def test_a_listed_model_signature_is_read_with_its_card() -> None:
    entry = {"path": "sigs/model.sig", "card": CARD[0], "sha256": sha256_hex(SIGNATURE)}
    opened = read_bundle(_bundle(entry, [("sigs/model.sig", SIGNATURE)]), "b.cardbundle")
    (signature,) = opened.model_signatures
    assert (signature.entry.card, signature.content) == (CARD[0], SIGNATURE)


@pytest.mark.parametrize(
    ("entry", "files", "message"),
    [
        (
            {"path": "model.sig", "card": "other.json", "sha256": sha256_hex(SIGNATURE)},
            [("model.sig", SIGNATURE)],
            "manifest.json: model_signatures[0].card: names 'other.json', which is not a card",
        ),
        (
            {"path": "model.sig", "card": CARD[0], "sha256": sha256_hex(SIGNATURE)},
            [],
            "manifest.json: model_signatures[0].path: lists 'model.sig', but the bundle holds no",
        ),
        (
            {"path": "model.sig", "card": CARD[0], "sha256": "0" * 64},
            [("model.sig", SIGNATURE)],
            "model.sig: the file's SHA-256 is",
        ),
        (
            {"path": "../model.sig", "card": CARD[0], "sha256": sha256_hex(SIGNATURE)},
            [],
            "manifest.json: model_signatures[0].path: '../model.sig'",
        ),
    ],
)
def test_a_wrongly_listed_model_signature_refuses_the_bundle(
    entry: dict[str, str], files: list[tuple[str, bytes]], message: str
) -> None:
    with pytest.raises(BundleRefused) as refused:
        read_bundle(_bundle(entry, files), "b.cardbundle")
    assert str(refused.value).startswith(f"b.cardbundle: {message}"), str(refused.value)


def test_a_card_naming_one_model_file_twice_is_refused() -> None:
    manifest = manifest_for([CARD])
    manifest["artifacts"] = [
        {"card": CARD[0], "name": "model.onnx", "sha256": "a" * 64, "size": 1},
        {"card": CARD[0], "name": "model.onnx", "sha256": "b" * 64, "size": 1},
    ]
    with pytest.raises(BundleRefused) as refused:
        read_bundle(bundle_of(manifest, [CARD]), "b.cardbundle")
    assert str(refused.value) == (
        "b.cardbundle: manifest.json: artifacts[1].name: 'model.onnx' is named twice for "
        "'credit-scorer.json' (also at artifacts[0]); a card names each model file once"
    )
