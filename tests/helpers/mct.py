"""Model Card Toolkit cards the tests write themselves: graphics, warnings and all.

The GUI tests need MCT cards with what the corpus's cards have (an embedded PNG, a
graphic cut short, an unstated risk tier) without reading the shared corpus, which
only the corpus tests read.  These cards are ours: small, written on the spot.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Any

PHOTO_CLASSIFIER = "Cat and dog photo classifier"
"""The model of :func:`photo_classifier_card`: an embedded PNG and one format warning."""

PHOTO_CLASSIFIER_FILE = "mct-cat-dog-photo-classifier.json"
"""The file name :func:`write_mct_cards` gives that card."""

TRAIN_AND_EVAL = "train and eval model"
"""The model of :func:`train_and_eval_card`: schema 0.0.2, no risk tier, graphics cut short."""

TRAIN_AND_EVAL_FILE = "mct-train-and-eval.json"
"""The file name :func:`write_mct_cards` gives that card."""


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG of ``width`` x ``height`` pixels in four colour bands."""
    bands = [(200, 60, 40), (40, 160, 90), (50, 90, 200), (230, 200, 40)]
    rows = b"".join(
        b"\x00" + b"".join(bytes(bands[x * len(bands) // width]) for x in range(width))
        for _ in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _cut_short(length: int) -> str:
    """Base64 text of a PNG cut at a length no base64 has (so it warns, kept as text)."""
    text = base64.b64encode(png(400, 300)).decode("ascii")
    while len(text) < length:
        text += text
    return text[: length - (length % 4) + 1]


def photo_classifier_card() -> dict[str, Any]:
    """MCT 0.0.1: an embedded PNG (validation set size), and an accuracy graphic cut short."""
    return {
        "schema_version": "0.0.1",
        "model_details": {
            "name": PHOTO_CLASSIFIER,
            "overview": (
                "Tells photos of cats from photos of dogs. A small convolutional network "
                "fine-tuned on labelled pet photos; the cats and dogs classes are balanced."
            ),
            "owners": [{"name": "Vision Lab", "contact": "vision-lab@example.org"}],
            "version": {"name": "v1.0", "date": "2026-03-02"},
            "license": "Apache-2.0",
            "references": ["https://example.org/pet-photos"],
        },
        "model_parameters": {
            "data": {
                "train": {"graphics": {}},
                "eval": {
                    "graphics": {
                        "collection": [
                            {
                                "name": "Validation Set Size",
                                "description": "Photos in the validation set, by class.",
                                "image": base64.b64encode(png(160, 90)).decode("ascii"),
                            }
                        ]
                    }
                },
            }
        },
        "quantitative_analysis": {
            "performance_metrics": [
                {"type": "accuracy", "value": 0.978, "threshold": 0.5},
                {"type": "accuracy", "value": 0.993, "slice": "cat", "threshold": 0.5},
                {"type": "accuracy", "value": 0.965, "slice": "dog", "threshold": 0.5},
            ],
            "graphics": {"collection": [{"name": "Accuracy", "image": _cut_short(6001)}]},
        },
        "considerations": {
            "users": ["Pet photo sharing sites."],
            "use_cases": ["Sorting photos of cats and dogs."],
            "limitations": ["Photos of other animals are forced into one of the two classes."],
            "tradeoffs": ["Recall against precision."],
            "ethical_considerations": [
                {
                    "name": "Photos may show people as well as pets.",
                    "mitigation_strategy": "Use on pet photos only.",
                }
            ],
        },
    }


def train_and_eval_card() -> dict[str, Any]:
    """MCT 0.0.2 with graphics in three places, each image cut short (three warnings)."""

    def graphics(description: str, name: str, length: int) -> dict[str, Any]:
        return {
            "description": description,
            "collection": [{"name": name, "image": _cut_short(length)}],
        }

    return {
        "schema_version": "0.0.2",
        "model_details": {
            "name": TRAIN_AND_EVAL,
            "owners": [{"name": "Quality Team", "contact": "quality@example.org"}],
            "version": {"name": "0.3", "date": "2026-01-01", "diff": "A new evaluation split."},
            "licenses": [{"identifier": "Apache-2.0"}],
            "references": [{"reference": "https://example.org/train-and-eval"}],
            "citation": {"citation": "https://example.org/cite/train-and-eval"},
        },
        "model_parameters": {
            "model_architecture": "knn",
            "data": [
                {
                    "name": "train_split",
                    "link": "path/to/train",
                    "graphics": graphics("The training data.", "train graphic", 3001),
                },
                {
                    "name": "eval_split",
                    "link": "path/to/eval",
                    "graphics": graphics("The evaluation data.", "eval graphic", 3005),
                },
            ],
            "input_format": "32-char-len-text",
            "output_format": "64-char-len-text",
        },
        "quantitative_analysis": {
            "graphics": graphics("Results by split.", "analysis graphic", 3009),
        },
        "considerations": {
            "users": [{"description": "Testers"}],
            "use_cases": [{"description": "Testing the importer"}],
            "limitations": [{"description": "None known"}],
            "tradeoffs": [{"description": "None known"}],
            "ethical_considerations": [
                {"name": "Bugs", "mitigation_strategy": "Unit tests"},
                {"name": "Broken edge cases", "mitigation_strategy": "Test coverage"},
            ],
        },
    }


def write_mct_cards(folder: Path) -> tuple[Path, Path]:
    """Write both cards into ``folder`` (created if need be): (photo classifier, train and eval)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, card in (
        (PHOTO_CLASSIFIER_FILE, photo_classifier_card()),
        (TRAIN_AND_EVAL_FILE, train_and_eval_card()),
    ):
        path = folder / name
        path.write_text(json.dumps(card, indent=2), encoding="utf-8")
        written.append(path)
    return written[0], written[1]
