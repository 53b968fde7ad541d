"""Which way is better for a metric: up (accuracy, AUC, BLEU), down (WER, loss, RMSE), or unknown.

Cards name their metrics freely ("Test WER", "eval_loss", "top-1 error",
"ROC AUC", "chrF++"), so the name (and the card's metric type, when it gives
one) is cut into lowercase words and looked up in two vocabularies.  Words that
mean "less is better" win over those that mean "more is better", because
"top-1 error" and "error rate" hold words of both kinds.  Anything else is
"unknown": Countersign never guesses a verdict.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import Literal

Direction = Literal["higher", "lower", "unknown"]
"""Whether a higher or a lower value of a metric is better, or nobody said."""

Verdict = Literal["better", "worse", "same", "unknown"]
"""How a metric moved between two card versions, judged by its direction."""

LOWER_IS_BETTER = frozenset(
    {
        "bpb",
        "bpc",
        "brier",
        "cer",
        "distance",
        "ece",
        "eer",
        "entropy",
        "err",
        "error",
        "errors",
        "fdr",
        "fid",
        "fnr",
        "fpr",
        "frr",
        "hter",
        "kid",
        "latency",
        "logloss",
        "loss",
        "mae",
        "mape",
        "mase",
        "mce",
        "mer",
        "misclassification",
        "mse",
        "msle",
        "nll",
        "perplexity",
        "ppl",
        "regret",
        "rmse",
        "rmsle",
        "smape",
        "ter",
        "wape",
        "wer",
        "wil",
        "wmape",
    }
)
"""Words naming a metric where less is better (error rates, losses, distances)."""

QUALIFIERS = frozenset({"at", "for", "on", "by", "with", "when", "under", "given", "per", "in"})
"""Words after which a name qualifies its metric: "recall at 0.5% false positive rate" is a recall."""

LOWER_PHRASES = (
    ("false", "positive"),
    ("false", "negative"),
    ("false", "discovery"),
    ("false", "alarm"),
    ("miss", "rate"),
    ("negative", "log"),
    ("inference", "time"),
    ("parity", "difference"),
    ("odds", "difference"),
    ("fairness", "gap"),
)
"""Word pairs naming a metric where less is better."""

HIGHER_IS_BETTER = frozenset(
    {
        "acc",
        "accuracy",
        "agreement",
        "ap",
        "ap50",
        "ap75",
        "auc",
        "auprc",
        "auroc",
        "bertscore",
        "bleu",
        "bleurt",
        "chrf",
        "chrf+",
        "chrf++",
        "cider",
        "comet",
        "correlation",
        "dice",
        "em",
        "f05",
        "f1",
        "f2",
        "fmeasure",
        "fscore",
        "gleu",
        "iou",
        "jaccard",
        "kappa",
        "map",
        "map50",
        "matthews",
        "mcc",
        "meteor",
        "miou",
        "mrr",
        "ndcg",
        "pearson",
        "precision",
        "psnr",
        "r2",
        "r²",
        "recall",
        "rouge",
        "rouge1",
        "rouge2",
        "rougel",
        "rougelsum",
        "sacrebleu",
        "sensitivity",
        "specificity",
        "spearman",
        "spice",
        "ssim",
        "tnr",
        "top1",
        "top5",
        "tpr",
    }
)
"""Words naming a metric where more is better (accuracy, AUC, F1, BLEU, chrF…)."""

HIGHER_PHRASES = (
    ("exact", "match"),
    ("r", "2"),
    ("r", "squared"),
    ("f", "1"),
    ("f", "score"),
    ("f", "measure"),
    ("top", "1"),
    ("hit", "rate"),
    ("true", "positive"),
    ("true", "negative"),
    ("pass", "1"),
)
"""Word pairs naming a metric where more is better."""

_WORDS = re.compile(r"[^\W_]+\+*|@")
"""Runs of letters and digits (with trailing pluses, for chrF++), and ``@``; underscores split."""


@lru_cache(maxsize=4096)
def metric_direction(name: str, metric_type: str = "") -> Direction:
    """Whether a higher or lower value of the metric called ``name`` is better.

    ``metric_type`` (a card's machine name for the metric, such as ``wer``)
    is consulted when the name alone does not tell.
    """
    for text in (name, metric_type):
        direction = _direction_of(text)
        if direction != "unknown":
            return direction
    return "unknown"


def verdict(direction: Direction, delta: float | None) -> Verdict:
    """Whether a change of ``delta`` is an improvement for a metric of ``direction``."""
    if delta is None or direction == "unknown":
        return "unknown"
    if delta == 0:
        return "same"
    improved = delta > 0 if direction == "higher" else delta < 0
    return "better" if improved else "worse"


def _direction_of(text: str) -> Direction:
    words = _WORDS.findall(text.casefold())
    # The metric is named before its qualifiers ("recall at 0.5% false positive rate",
    # "precision@10", "accuracy per class"); only if that head says nothing, the rest is read.
    for end, word in enumerate(words):
        if end and (word in QUALIFIERS or word == "@"):
            head = _words_direction(words[:end])
            if head != "unknown":
                return head
            break
    return _words_direction(words)


def _words_direction(words: list[str]) -> Direction:
    if not words:
        return "unknown"
    pairs = set(pairwise(words))
    if LOWER_IS_BETTER.intersection(words) or pairs.intersection(LOWER_PHRASES):
        return "lower"
    # "negative log likelihood" is caught above; a plain log likelihood is higher-better.
    if (
        HIGHER_IS_BETTER.intersection(words)
        or pairs.intersection(HIGHER_PHRASES)
        or ("log", "likelihood") in pairs
    ):
        return "higher"
    return "unknown"
