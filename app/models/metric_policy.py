"""The metric policy: which way is better for each metric, or which value it should be close to.

Cards name their metrics freely, so a policy lists metric *terms*: a name and
its aliases, each cut into lowercase words when matched ("Test WER" holds the
term ``wer``; "adverse impact ratio on age 18-24" holds ``adverse impact
ratio``).  Each term says either a ``direction`` (higher or lower is better)
or a ``target`` (the value the metric should be close to: 1 for a ratio of
parity such as an adverse impact ratio or a calibration slope, 0 for a bias or
a parity difference).

Countersign ships a policy (``resources/policies/metrics.yaml``); an officer
imports their own, which extends it and, term for term, overrides it.  A
policy file is untrusted YAML, validated by :class:`MetricPolicy` with every
size bounded; unknown keys are refused so that typos show.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_TERMS = 2000
"""A policy with more metric terms than this is refused (the shipped one has about 120)."""

MAX_ALIASES = 50
"""A term with more aliases than this is refused."""

MAX_TARGET = 1_000_000.0
"""A target further from zero than this is refused (real targets are 0 or 1)."""

_WORDS = re.compile(r"[^\W_]+\+*|@")
"""Runs of letters and digits (with trailing pluses, for chrF++), and ``@``; underscores split."""

TermName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
"""A metric name or alias: one line of text, no control characters."""


def metric_words(text: str) -> tuple[str, ...]:
    """``text`` cut into the lowercase words a policy term is matched on."""
    return tuple(_WORDS.findall(text.casefold()))


class MetricTerm(BaseModel):
    """One metric of the policy: its name, its aliases, and what is better for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: TermName
    aliases: list[TermName] = Field(default_factory=list, max_length=MAX_ALIASES)
    direction: Literal["higher", "lower"] | None = None
    """Whether a higher or a lower value is better; or None when the term has a target."""
    target: float | None = Field(default=None, ge=-MAX_TARGET, le=MAX_TARGET, allow_inf_nan=False)
    """The value the metric should be close to (1 for parity ratios, 0 for biases)."""
    target_label: str = Field(default="", max_length=60, pattern=r"^[^\x00-\x1f\x7f]*$")
    """What reaching the target means, in a word or two ("parity", "no bias")."""
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _direction_or_target(self) -> MetricTerm:
        if (self.direction is None) == (self.target is None):
            raise ValueError(
                "give either a direction (higher or lower) or a target (the value to be close "
                "to), not both and not neither"
            )
        for text in (self.name, *self.aliases):
            if not metric_words(text):
                raise ValueError(f"{text!r} holds no letters or digits to match a metric name on")
        return self

    def spellings(self) -> tuple[tuple[str, ...], ...]:
        """The name and every alias, as the word sequences matched in a metric's name."""
        return tuple(metric_words(text) for text in (self.name, *self.aliases))

    def rule(self) -> str:
        """What the term says, in words: "higher is better", "closer to 1 (parity) is better"."""
        if self.target is not None:
            label = f" ({self.target_label})" if self.target_label else ""
            return f"closer to {self.target:g}{label} is better"
        return f"{self.direction} is better"


class MetricPolicy(BaseModel):
    """A versioned list of metric terms, each with a direction or a target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, le=1_000_000)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    metrics: list[MetricTerm] = Field(min_length=1, max_length=MAX_TERMS)

    @field_validator("metrics")
    @classmethod
    def _distinct_spellings(cls, metrics: list[MetricTerm]) -> list[MetricTerm]:
        seen: dict[tuple[str, ...], str] = {}
        for term in metrics:
            for text, words in zip((term.name, *term.aliases), term.spellings(), strict=True):
                other = seen.get(words)
                if other is not None and other != term.name:
                    raise ValueError(
                        f"{text!r} (in {term.name!r}) is already a name or alias of {other!r}; "
                        "each spelling may belong to one metric only"
                    )
                seen[words] = term.name
        return metrics
