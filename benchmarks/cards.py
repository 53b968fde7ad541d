"""Generated cards of realistic size (2-8 KB) in all four formats, for benchmarks."""

from __future__ import annotations

import json
import random

from countersign.models.card import ModelCard

WORDS = [
    "model",
    "evaluation",
    "holdout",
    "slice",
    "fairness",
    "calibration",
    "drift",
    "recall",
    "precision",
    "applicants",
    "income",
    "region",
    "language",
    "accent",
    "latency",
    "monitoring",
    "retraining",
    "threshold",
    "review",
    "governance",
    "dataset",
    "provenance",
    "consent",
    "sensitive",
    "mitigation",
    "limitation",
    "subgroup",
    "performance",
    "error",
]
"""The vocabulary of generated card text."""


def prose(rng: random.Random, words: int) -> str:
    """A sentence of ``words`` random words from :data:`WORDS`."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def native_card(index: int, rng: random.Random) -> bytes:
    """A native JSON card with slices, limitations and long text."""
    card = ModelCard.model_validate(
        {
            "model_details": {
                "name": f"bench:model-{index:05d}",
                "version": "1",
                "summary": prose(rng, 60),
            },
            "intended_use": {"text": prose(rng, 120), "out_of_scope": [prose(rng, 20)]},
            "quantitative_analyses": {
                "results": [
                    {
                        "name": "auc",
                        "value": f"{rng.random():.3f}",
                        "dataset": "holdout",
                        "slice": f"band {s}",
                    }
                    for s in range(8)
                ]
            },
            "caveats_and_recommendations": {"limitations": [prose(rng, 30) for _ in range(4)]},
            "ethical_considerations": {
                "risks": [{"name": prose(rng, 10), "mitigation": prose(rng, 20)}]
            },
        }
    )
    return card.model_dump_json().encode()


def huggingface_card(index: int, rng: random.Random) -> bytes:
    """A README.md card with front matter, a model-index and sections."""
    results = "\n".join(
        f"  - task:\n      type: text-classification\n    dataset:\n      name: holdout\n"
        f"      type: holdout\n      split: test\n    metrics:\n    - type: f1\n"
        f"      value: {rng.random():.3f}"
        for _ in range(4)
    )
    text = (
        f"---\nlicense: apache-2.0\ntags:\n- governance\nmodel-index:\n- name: bench:hf-{index:05d}\n"
        f"  results:\n{results}\n---\n\n# bench:hf-{index:05d}\n\n{prose(rng, 80)}\n\n"
        f"## Intended uses & limitations\n\n{prose(rng, 200)}\n\n## Training data\n\n{prose(rng, 150)}\n\n"
        f"## Bias, Risks, and Limitations\n\n{prose(rng, 150)}\n"
    )
    return text.encode()


def mct_card(index: int, rng: random.Random) -> bytes:
    """A Model Card Toolkit v0.0.2 card."""
    return json.dumps(
        {
            "schema_version": "0.0.2",
            "model_details": {
                "name": f"bench:mct-{index:05d}",
                "overview": prose(rng, 150),
                "version": {"name": "1"},
                "owners": [{"name": "Bench Team", "contact": "bench@example.com"}],
            },
            "quantitative_analysis": {
                "performance_metrics": [
                    {"type": "accuracy", "value": f"{rng.random():.3f}", "slice": f"group {s}"}
                    for s in range(6)
                ]
            },
            "considerations": {
                "limitations": [{"description": prose(rng, 40)} for _ in range(3)],
                "ethical_considerations": [
                    {"name": prose(rng, 8), "mitigation_strategy": prose(rng, 25)}
                ],
            },
        }
    ).encode()


def sagemaker_card(index: int, rng: random.Random) -> bytes:
    """A SageMaker model card."""
    return json.dumps(
        {
            "model_overview": {
                "model_name": f"bench:sm-{index:05d}",
                "model_description": prose(rng, 150),
            },
            "intended_uses": {"purpose_of_model": prose(rng, 60), "risk_rating": "Medium"},
            "evaluation_details": [
                {
                    "name": "holdout",
                    "metric_groups": [
                        {
                            "name": "quality",
                            "metric_data": [
                                {"name": f"m{s}", "type": "number", "value": rng.random()}
                                for s in range(6)
                            ],
                        }
                    ],
                }
            ],
            "additional_information": {"caveats_and_recommendations": prose(rng, 120)},
        }
    ).encode()


GENERATORS = (native_card, huggingface_card, mct_card, sagemaker_card)
SUFFIXES = (".json", ".md", ".json", ".json")


def generated_cards(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """``count`` (file name, bytes) pairs cycling through the four formats."""
    rng = random.Random(seed)
    cards = []
    for index in range(count):
        kind = index % len(GENERATORS)
        cards.append((f"card-{index:05d}{SUFFIXES[kind]}", GENERATORS[kind](index, rng)))
    return cards
