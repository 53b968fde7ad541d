"""Teams' OpenSSF model signatures for tests, made with the ``model_signing`` package itself.

A model folder is written with small real files, signed with
``model_signing.signing.Config().use_elliptic_key_signer(...)`` and a P-256
key made here, and put in a bundle by Countersign's own ``create_bundle``.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from model_signing import hashing, signing

from countersign.formats.bundle import create_bundle
from tests.helpers.bundles import NATIVE_CARDS, TEAM, TeamSigner

MODEL_FILES = {"model.safetensors": b"\x00weights of credit-scorer 1.0.0\x01", "config.json": b"{}"}
"""The files of the model the test card describes."""


@dataclass(frozen=True)
class ModelFolder:
    """A model's files on disk, as a team would sign them."""

    folder: Path

    def files(self) -> list[Path]:
        """Every file of the model, in name order."""
        return sorted(self.folder.iterdir())


def model_folder(where: Path, files: Mapping[str, bytes] = MODEL_FILES) -> ModelFolder:
    """Write ``files`` into a new folder ``where``."""
    where.mkdir(parents=True)
    for name, content in files.items():
        (where / name).write_bytes(content)
    return ModelFolder(where)


def sign_model(
    model: Path, signer: TeamSigner, signature: Path, *, hash_name: str = "sha256"
) -> Path:
    """Sign ``model`` (a folder or one file) with ``signer``'s key, as ``model_signing sign key``."""
    key = signature.with_suffix(".key.pem")
    key.write_bytes(signer.key_pem())
    config = signing.Config().use_elliptic_key_signer(private_key=key)
    if hash_name != "sha256":
        config.set_hashing_config(
            hashing.Config().use_file_serialization(hashing_algorithm=hash_name)  # type: ignore[arg-type]
        )
    config.sign(model, signature)
    key.unlink()
    return signature


def bundle_with_models(
    where: Path,
    artifacts: Sequence[Path],
    signatures: Sequence[Path] = (),
    *,
    team: str = TEAM,
) -> Path:
    """A bundle of credit-scorer 1.0.0 naming ``artifacts``, with the model ``signatures``."""
    cards = where / "cards"
    cards.mkdir(parents=True)
    shutil.copy(NATIVE_CARDS / "credit-scorer-v1.json", cards / "credit-scorer.json")
    output = where / "credit-scorer.cardbundle"
    create_bundle(
        cards,
        output,
        team,
        producer="countersign tests",
        artifacts=artifacts,
        model_signatures=signatures,
    )
    return output
