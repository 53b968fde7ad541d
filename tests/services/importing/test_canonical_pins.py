"""A card's canonical form, search text and warnings, pinned for the project's own cards.

The canonical JSON's SHA-256 is a card version's identity in every registry,
so a faster reader must give byte for byte what the readers gave when these
pins were written: the same canonical JSON, the same search text, the same
warnings (worded the same), the same refusals.  The pins cover the sample
cards, the test fixtures, the benchmark's generated cards and a few cards
written here for the corners (numbers JSON writes with exponents, control
characters, YAML dates, anchors and 1.1 booleans, a card that needs the
exact depth scan).  Regenerate them only for a change that means to change
cards: ``python -m tests.services.importing.test_canonical_pins``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from benchmarks.cards import generated_cards
from countersign.errors import InputRefused
from countersign.services.importing.workers import CardJob, parse_card, parse_chunk

REPO = Path(__file__).resolve().parents[3]
PINS = Path(__file__).with_name("canonical_pins.json")
_SUFFIXES = (".json", ".md", ".yaml", ".pbtxt", ".xml")

CORNER_CARDS: dict[str, bytes] = {
    "numbers.json": json.dumps(
        {
            "format": "countersign-card",
            "format_version": 1,
            "model_details": {"name": "numbers", "version": "1", "summary": "Line\u2028two\x7f."},
            "quantitative_analyses": {
                "results": [
                    {"name": "big", "value": "1e16", "numeric": 1e16},
                    {"name": "small", "value": "1e-7", "numeric": 1e-7},
                    {"name": "tenth", "value": "0.1", "numeric": 0.1},
                    {"name": "huge", "value": "1.5e300", "numeric": 1.5e300},
                    {"name": "whole", "value": "12", "numeric": 12},
                    {"name": "negative zero", "value": "-0.0", "numeric": -0.0},
                ]
            },
            "tags": ["tab\tand\nnewline", "bell\x07", 'quote" and \\ back', "emoji \U0001f600"],
        }
    ).encode(),
    "sagemaker-floats.json": json.dumps(
        {
            "model_overview": {"model_name": "floats", "model_description": "[a] {b}"},
            "evaluation_details": [
                {
                    "name": "holdout",
                    "metric_groups": [
                        {
                            "name": "quality",
                            "metric_data": [
                                {"name": "a", "type": "number", "value": 123456789012345678},
                                {"name": "b", "type": "number", "value": 2.5e-9},
                                {"name": "c", "type": "number", "value": 1e22},
                            ],
                        }
                    ],
                }
            ],
        }
    ).encode(),
    "yaml-corners.md": (
        b"---\nlicense: mit\nlanguage:\n- no\n- en\ndate: 2024-01-02\nbase: &b base-model\n"
        b"base_model: *b\ntags: [a,\tb]\nwidget:\n  - text: yes\n    when: 2024-05-06T07:08:09Z\n"
        b"flag: on\nnull_key: ~\nnumber: 0o17\nhex: 0x1F\nfloat: .inf\n---\n\n"
        b"# Corner model\n\nSome text.\n\n## Limitations\n\n- one\n- two\n"
    ),
    "yaml-booleans.md": (
        b"---\nlanguage:\n- no\n- en\nwidget: {text: yes, flag: off}\nnested:\n  - - - deep\n"
        b"license: other\nlicense_name: in-house\n---\n\n# Booleans\n\nText.\n"
    ),
}


def _inputs() -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for root in (REPO / "resources" / "samples", REPO / "tests" / "fixtures" / "cards"):
        for path in sorted(root.glob("*/**/*")):  # the cards in folders, not the samples' index
            if path.is_file() and path.suffix in _SUFFIXES:
                files.append((path.relative_to(REPO).as_posix(), path.read_bytes()))
    files += generated_cards(8, seed=7)
    files += sorted(CORNER_CARDS.items())
    return files


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _reading(name: str, data: bytes) -> dict[str, Any]:
    """What reading one file gives: its digests and warnings, or its refusal."""
    try:
        parsed = parse_card(CardJob(name, "", data))
    except InputRefused as refusal:
        return {"refused": [refusal.file, refusal.field, refusal.reason]}
    read = parsed.read
    assert parsed.sha256 == _digest(parsed.canonical_json)
    assert parsed.canonical_json == read.card.canonical_json()
    return {
        "format": str(read.source_format),
        "sha256": parsed.sha256,
        "search_text": _digest(parsed.search_text),
        "warnings": [[w.field, w.message, w.where] for w in read.warnings],
        "attachments": [[a.name, a.media_type, len(a.content)] for a in read.attachments],
    }


def _readings() -> dict[str, dict[str, Any]]:
    return {name: _reading(name, data) for name, data in _inputs()}


def test_cards_read_as_pinned() -> None:
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    readings = _readings()
    assert sorted(readings) == sorted(pinned)
    for name, reading in readings.items():
        assert reading == pinned[name], name


def test_a_worker_sends_back_what_was_read_here() -> None:
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    jobs = [CardJob(name, "", data) for name, data in _inputs() if "refused" not in pinned[name]]
    sent = parse_chunk(jobs)
    assert len(sent) == len(jobs)
    for job, result in zip(jobs, sent, strict=True):
        here = parse_card(job)
        assert not isinstance(result, type(here)), "a worker sends compact results"
        received = result.received()  # type: ignore[union-attr]
        assert received.canonical_json == here.canonical_json, job.path
        assert received.search_text == here.search_text
        assert received.sha256 == here.sha256
        # What the plan looks into comes beside the card, which is rebuilt only if asked.
        assert received.read.stated_version == here.read.card.model_details.version
        assert received.read.stated_risk == here.read.card.risk_rating
        assert received.read.card == here.read.card
        assert received.read.warnings == here.read.warnings
        assert received.read.source_format == here.read.source_format
        assert received.read.attachments == here.read.attachments
        assert received.read.artifacts == here.read.artifacts


if __name__ == "__main__":
    PINS.write_text(json.dumps(_readings(), indent=1, ensure_ascii=False) + "\n", "utf-8")
