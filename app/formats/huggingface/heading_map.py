"""Which canonical field a Markdown heading of a model card stands for.

Titles are matched case-insensitively after markup, punctuation, numbering and
"[optional]" are stripped, so ``# **Model Details**``, ``## 1. Model details``
and ``### Model Details [optional]`` all mean the model's description.  The
table holds the headings of the huggingface_hub card template, of Mitchell et
al. (2019) and the variants seen in real cards (Whisper, CLIP, Llama 2, the
Trainer's generated cards).  A few titles depend on the section above them:
"Preprocessing" under training data is the training data's preprocessing,
under evaluation the evaluation data's.
"""

from __future__ import annotations

_MARKUP = str.maketrans({char: " " for char in "*_`~#:,.;!?()[]{}\"'’‘/\\|-–—+=<>"})


def _drop_html_tags(text: str) -> str:
    """``text`` without ``<...>`` tags (anchors such as ``<a name="x"></a>`` in titles)."""
    out: list[str] = []
    position = 0
    while True:
        opening = text.find("<", position)
        closing = text.find(">", opening) if opening >= 0 else -1
        if closing < 0:
            out.append(text[position:])
            return "".join(out)
        out.append(text[position:opening])
        position = closing + 1


def heading_key(title: str) -> str:
    """A heading title normalised for matching: lower case, no markup or punctuation."""
    key = _drop_html_tags(title).lower()
    key = key.replace("[optional]", " ").replace("(optional)", " ").replace("&", " and ")
    words = key.translate(_MARKUP).split()
    while words and words[0].isdigit():
        words.pop(0)
    return " ".join(words)


def display_title(title: str) -> str:
    """A heading title without bold wrapping (``**Model Details**`` -> ``Model Details``)."""
    text = title.strip()
    for mark in ("**", "__"):
        inner = text[len(mark) : -len(mark)]
        wrapped = len(text) > 2 * len(mark) and text.startswith(mark) and text.endswith(mark)
        if wrapped and mark not in inner:
            return inner.strip()
    return text


# -- mapping headings onto the canonical card ----------------------------------

TEXT_TARGETS = frozenset(
    {
        "model_details.summary",
        "model_details.description",
        "model_details.date",
        "model_details.model_type",
        "model_details.architecture",
        "model_details.citation",
        "intended_use.text",
        "factors.text",
        "metrics.text",
        "metrics.decision_thresholds",
        "evaluation_data.text",
        "evaluation_data.preprocessing",
        "training_data.text",
        "training_data.preprocessing",
        "quantitative_analyses.text",
        "ethical_considerations.text",
        "caveats_and_recommendations.text",
    }
)
"""Targets that hold Markdown text; every other target is a list of items."""

_EXACT: dict[str, str] = {}


def _names(target: str, *keys: str) -> None:
    for key in keys:
        _EXACT[key] = target


_names("model_details.summary", "model summary", "summary", "tl dr", "tldr")
_names(
    "model_details.description",
    "model details",
    "model description",
    "description",
    "model info",
    "model information",
    "model overview",
    "overview",
    "about the model",
    "model card",
)
_names("model_details.developers", "developers", "model developers", "developed by", "authors")
_names("model_details.date", "model date", "release date", "model release date", "date")
_names("model_details.model_type", "model type")
_names(
    "model_details.architecture",
    "model architecture",
    "architecture",
    "model architecture and objective",
    "model structure",
)
_names(
    "model_details.references",
    "references",
    "documents",
    "model sources",
    "sources",
    "resources",
    "links",
    "paper and samples",
    "papers",
    "paper",
    "further reading",
)
_names(
    "model_details.citation",
    "citation",
    "citations",
    "citation information",
    "cite",
    "cite as",
    "how to cite",
    "citing",
    "bibtex",
    "bibtex entry and citation info",
)
_names(
    "intended_use.text",
    "intended use",
    "intended uses",
    "intended use cases",
    "uses",
    "use",
    "model use",
    "model uses",
    "direct use",
    "downstream use",
    "use cases",
    "evaluated use",
    "intended uses and limitations",
    "uses and limitations",
    "intended purpose",
)
_names("intended_use.primary_uses", "primary uses", "primary intended uses", "primary use cases")
_names("intended_use.primary_users", "primary users", "primary intended users", "intended users")
_names(
    "intended_use.out_of_scope",
    "out of scope use",
    "out of scope uses",
    "out of scope use cases",
    "out of scope",
    "out of scope usage",
    "misuse",
    "misuse and out of scope use",
    "misuse malicious use and out of scope use",
    "prohibited uses",
    "not intended uses",
)
_names("factors.text", "factors", "testing factors", "evaluation and testing factors")
_names("factors.relevant", "relevant factors")
_names("factors.evaluation", "evaluation factors")
_names(
    "metrics.text",
    "metrics",
    "model performance measures",
    "performance measures",
    "evaluation metrics",
    "testing metrics",
)
_names("metrics.decision_thresholds", "decision thresholds", "decision threshold", "thresholds")
_names(
    "evaluation_data.text",
    "evaluation data",
    "testing data",
    "test data",
    "testing data factors and metrics",
    "evaluation dataset",
    "validation data",
)
_names("evaluation_data.datasets", "evaluation datasets", "evaluation data sets", "test datasets")
_names("evaluation_data.preprocessing", "evaluation data preprocessing")
_names(
    "training_data.text",
    "training data",
    "training",
    "training details",
    "training procedure",
    "training hyperparameters",
    "training results",
    "training and evaluation data",
    "training dataset",
    "training setup",
    "pretraining data",
    "fine tuning data",
    # Meta's cards (Llama): the compute and energy of training.
    "hardware and software",
    "training factors",
)
_names("training_data.datasets", "training datasets", "training data sets")
_names("training_data.preprocessing", "training data preprocessing")
_names(
    "quantitative_analyses.text",
    "quantitative analyses",
    "quantitative analysis",
    "evaluation",
    "evaluation results",
    "eval results",
    "results",
    "performance",
    "model performance",
    "benchmarks",
    "benchmark results",
    "unitary results",
    "intersectional results",
    "accuracy",
    "benchmark scores",
)
_names(
    "ethical_considerations.text",
    "ethical considerations",
    "ethics",
    "ethics and safety",
    "bias",
    "biases",
    "bias and fairness",
    "fairness",
    "broader implications",
    "broader impact",
    "broader impacts",
    "societal impact",
    "social impact",
    "responsibility and safety",
    "responsibility safety",
)
_names("ethical_considerations.risks", "risks", "ethical risks", "risks and harms", "known risks")
_names(
    "caveats_and_recommendations.text",
    "caveats and recommendations",
    "caveats",
    "performance and limitations",
    "bias risks and limitations",
    "ethical considerations and limitations",
    "risks and limitations",
    "limitations and bias",
    "limitations and biases",
    "bias and limitations",
    "biases and limitations",
)
_names("caveats_and_recommendations.limitations", "limitations", "known limitations", "limitation")
_names("caveats_and_recommendations.tradeoffs", "tradeoffs", "trade offs")
_names("caveats_and_recommendations.recommendations", "recommendations", "recommendation")
_names(
    "owners",
    "model card contact",
    "contact",
    "contacts",
    "contact information",
    "where to send questions or comments about the model",
)
_names("owners.authors", "model card authors", "card authors")

_EVALUATION_CONTEXTS = frozenset({"evaluation_data", "quantitative_analyses", "metrics", "factors"})
_CONTEXTUAL: dict[str, str] = {
    "preprocessing": "preprocessing",
    "data preprocessing": "preprocessing",
    "datasets": "datasets",
    "data sets": "datasets",
    "data": "text",
}


def resolve_heading(key: str, context: str | None) -> str | None:
    """The canonical target of a heading with normalised title ``key``, or ``None``.

    ``context`` is the canonical section of the nearest mapped heading above
    (for example ``training_data``), which decides titles such as "Preprocessing".
    """
    contextual = _CONTEXTUAL.get(key)
    if contextual is not None:
        section = "evaluation_data" if context in _EVALUATION_CONTEXTS else "training_data"
        return f"{section}.{contextual}"
    if key == "summary" and context is not None:
        return None
    target = _EXACT.get(key)
    if target is not None:
        return target
    words = key.split()
    if "limitations" in words or "caveats" in words:
        return "caveats_and_recommendations.text"
    if key.startswith("intended use"):
        return "intended_use.text"
    if "out of scope" in key:
        return "intended_use.out_of_scope"
    if words[:1] == ["ethical"]:
        return "ethical_considerations.text"
    if words[:1] == ["citation"]:
        return "model_details.citation"
    return None


def section_of(target: str) -> str:
    """The canonical section a target belongs to (``training_data`` for ``training_data.text``)."""
    return target.split(".", 1)[0]
