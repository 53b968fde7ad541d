"""The canonical card as readable sections of Markdown.

One rendering serves the command line's ``show``, the window's Card tab, the
whole-card text diff and the PDF report, so that all of them show the same
words in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from countersign.models.card import DataSection, MetricResult, ModelCard


@dataclass(frozen=True)
class CardSection:
    """One titled section of a card, its body in Markdown."""

    title: str
    text: str


def card_sections(card: ModelCard) -> list[CardSection]:
    """Every non-empty section of ``card``, in the order of Mitchell et al."""
    sections = [CardSection(title, body(card)) for title, body in _SECTIONS]
    sections.extend(
        CardSection(extra.title or "(untitled)", _join(extra.text, _source(extra.source)))
        for extra in card.extra_sections
    )
    return [section for section in sections if section.text.strip()]


def _model_details(card: ModelCard) -> str:
    d = card.model_details
    return _join(
        _field("Name", d.name),
        _field("Version", d.version),
        d.summary,
        d.description,
        _field("Developed by", ", ".join(d.developers)),
        _field("Date", d.date),
        _field("Model type", d.model_type),
        _field("Architecture", d.architecture),
        _bullets("References", [r.reference for r in d.references]),
        _field("Citation", d.citation),
    )


def _intended_use(card: ModelCard) -> str:
    return _join(
        card.intended_use.text,
        _bullets("Primary intended uses", card.intended_use.primary_uses),
        _bullets("Primary intended users", card.intended_use.primary_users),
        _bullets("Out-of-scope uses", card.intended_use.out_of_scope),
    )


def _factors(card: ModelCard) -> str:
    return _join(
        card.factors.text,
        _bullets("Relevant factors", card.factors.relevant),
        _bullets("Evaluation factors", card.factors.evaluation),
    )


def _metrics(card: ModelCard) -> str:
    return _join(
        card.metrics.text,
        _bullets("Performance measures", card.metrics.measures),
        _field("Decision thresholds", card.metrics.decision_thresholds),
    )


def _quantitative_analyses(card: ModelCard) -> str:
    return _join(card.quantitative_analyses.text, results_table(card.quantitative_analyses.results))


def _ethical_considerations(card: ModelCard) -> str:
    risks = [
        f"{r.name}" + (f" — mitigation: {r.mitigation}" if r.mitigation else "")
        for r in card.ethical_considerations.risks
    ]
    return _join(card.ethical_considerations.text, _bullets("Risks and mitigations", risks))


def _caveats(card: ModelCard) -> str:
    return _join(
        card.caveats_and_recommendations.text,
        _bullets("Limitations", card.caveats_and_recommendations.limitations),
        _bullets("Trade-offs", card.caveats_and_recommendations.tradeoffs),
        _bullets("Recommendations", card.caveats_and_recommendations.recommendations),
    )


def _licence_and_tags(card: ModelCard) -> str:
    return _join(
        _field("Licence", card.license),
        _field("Risk rating", card.risk_rating),
        _field("Base model", ", ".join(card.base_model)),
        _field("Data sets", ", ".join(card.datasets)),
        _field("Languages", ", ".join(card.languages)),
        _field("Tags", ", ".join(card.tags)),
    )


def _owners(card: ModelCard) -> str:
    return _join(
        *[
            "- " + " · ".join(part for part in (o.name, o.role, o.contact) if part)
            for o in card.owners
        ]
    )


_SECTIONS: tuple[tuple[str, Callable[[ModelCard], str]], ...] = (
    ("Model details", _model_details),
    ("Intended use", _intended_use),
    ("Factors", _factors),
    ("Metrics", _metrics),
    ("Evaluation data", lambda card: _data(card.evaluation_data)),
    ("Training data", lambda card: _data(card.training_data)),
    ("Quantitative analyses", _quantitative_analyses),
    ("Ethical considerations", _ethical_considerations),
    ("Caveats and recommendations", _caveats),
    ("Licence, data sets and tags", _licence_and_tags),
    ("Owners", _owners),
)
"""The card's sections in the order of Mitchell et al., each with what writes its body."""


def card_as_text(card: ModelCard) -> str:
    """The whole card as one Markdown text, section after section."""
    return "\n\n".join(f"## {s.title}\n\n{s.text}" for s in card_sections(card)) + "\n"


def results_table(results: list[MetricResult]) -> str:
    """Metric results as a Markdown table (metric, value, dataset, split, slice)."""
    if not results:
        return ""
    lines = ["| Metric | Value | Dataset | Split | Slice |", "|---|---|---|---|---|"]
    for r in results:
        cells = (r.name, r.value, r.dataset, r.split, r.slice)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip() or "—"


def _data(section: DataSection) -> str:
    datasets = [
        " — ".join(part for part in (ds.name, ds.description, ds.link) if part)
        + (f" (sensitive data: {ds.sensitive_data})" if ds.sensitive_data else "")
        for ds in section.datasets
    ]
    return _join(
        section.text,
        _bullets("Data sets", datasets),
        _field("Preprocessing", section.preprocessing),
    )


def _field(label: str, value: str) -> str:
    value = value.strip()
    return f"**{label}:** {value}" if value else ""


def _bullets(label: str, items: list[str]) -> str:
    items = [item.strip() for item in items if item.strip()]
    if not items:
        return ""
    return f"**{label}:**\n\n" + "\n".join(f"- {item}" for item in items)


def _source(source: str) -> str:
    return f"*(from {source})*" if source else ""


def _join(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())
