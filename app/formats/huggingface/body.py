"""The Markdown body of a Hugging Face card, mapped onto the canonical card and back.

Reading walks the headings as a tree.  A heading whose title names a canonical
field (see :func:`countersign.formats.huggingface.heading_map.resolve_heading`) sends its text
there; a subheading that names nothing, or the same field as its parent, stays
inside the parent's text as Markdown.  A heading that names nothing and has no
mapped parent becomes an extra section whose ``source`` is its heading path
("Usage > Inference").  Text before the first heading after the title is the
model's summary.  So every line of the body lands somewhere in the card.

Writing emits one heading per non-empty canonical field, with titles the
reader maps straight back, so that a card survives a write and a read
unchanged.  List fields become bullet lists; items with several parts (an
owner's name, contact and role) become ``key: value`` lines inside the bullet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from countersign.formats.base import FormatWarning
from countersign.formats.huggingface.heading_map import (
    TEXT_TARGETS,
    display_title,
    heading_key,
    resolve_heading,
    section_of,
)
from countersign.formats.huggingface.markdown import (
    Block,
    Heading,
    format_items,
    format_keyed,
    heading_line,
    items_of,
    min_heading_level,
    parse_keyed,
    read_source_marker,
    source_marker,
    trim_blank,
)
from countersign.formats.placeholders import placeholder_message, placeholder_only
from countersign.models.card import DatasetRef, ExtraSection, ModelCard, Owner, Reference, Risk

AUTHOR_ROLE = "model card author"
"""The role given to people listed under a "Model Card Authors" heading."""

_TITLE_PREFIXES = ("model card for ", "model card: ", "model card - ", "model card — ")
_OWNER_KEYS = ("name", "contact", "role")
_DATASET_KEYS = ("name", "link", "description", "sensitive data")
_RISK_KEYS = ("risk", "mitigation")

# (heading, field) per section, then its subsections, in the order a card is written.
_LAYOUT: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...] = (
    (
        ("Model Details", "model_details.description"),
        (
            ("Developers", "model_details.developers"),
            ("Model Date", "model_details.date"),
            ("Model Type", "model_details.model_type"),
            ("Model Architecture", "model_details.architecture"),
            ("References", "model_details.references"),
        ),
    ),
    (
        ("Intended Use", "intended_use.text"),
        (
            ("Primary Uses", "intended_use.primary_uses"),
            ("Primary Users", "intended_use.primary_users"),
            ("Out-of-Scope Uses", "intended_use.out_of_scope"),
        ),
    ),
    (
        ("Factors", "factors.text"),
        (("Relevant Factors", "factors.relevant"), ("Evaluation Factors", "factors.evaluation")),
    ),
    (("Metrics", "metrics.text"), (("Decision Thresholds", "metrics.decision_thresholds"),)),
    (
        ("Evaluation Data", "evaluation_data.text"),
        (
            ("Evaluation Datasets", "evaluation_data.datasets"),
            ("Evaluation Data Preprocessing", "evaluation_data.preprocessing"),
        ),
    ),
    (
        ("Training Data", "training_data.text"),
        (
            ("Training Datasets", "training_data.datasets"),
            ("Training Data Preprocessing", "training_data.preprocessing"),
        ),
    ),
    (("Quantitative Analyses", "quantitative_analyses.text"), ()),
    (
        ("Ethical Considerations", "ethical_considerations.text"),
        (("Risks", "ethical_considerations.risks"),),
    ),
    (
        ("Caveats and Recommendations", "caveats_and_recommendations.text"),
        (
            ("Limitations", "caveats_and_recommendations.limitations"),
            ("Tradeoffs", "caveats_and_recommendations.tradeoffs"),
            ("Recommendations", "caveats_and_recommendations.recommendations"),
        ),
    ),
    (("Model Card Contact", "owners"), ()),
    (("Citation", "model_details.citation"), ()),
)


def layout_headings() -> list[tuple[str, str]]:
    """Every (heading, field) the writer may emit, for tests of the heading map."""
    return [pair for section, subsections in _LAYOUT for pair in (section, *subsections)]


def _get(card: ModelCard, target: str) -> Any:
    value: Any = card
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _set(card: ModelCard, target: str, value: Any) -> None:
    *parents, last = target.split(".")
    owner: Any = card
    for part in parents:
        owner = getattr(owner, part)
    setattr(owner, last, value)


def name_from_title(title: str) -> str:
    """The model name a title states, without a "Model Card for" prefix."""
    text = display_title(title)
    lowered = text.lower()
    for prefix in _TITLE_PREFIXES:
        if lowered.startswith(prefix):
            return text[len(prefix) :].strip()
    return "" if lowered == "model card" else text


def _is_title(heading: Heading) -> bool:
    if heading.level != 1:
        return False
    lowered = display_title(heading.title).lower()
    if lowered == "model card" or lowered.startswith(_TITLE_PREFIXES):
        return True
    return resolve_heading(heading.key, None) is None


# -- reading ------------------------------------------------------------------------


@dataclass
class _Segment:
    """Text bound for one place: a canonical field, or an extra section when target is None."""

    target: str | None
    heading: Heading
    title: str
    source: str
    lines: list[str]
    forced: bool = False
    has_extra_child: bool = False


@dataclass
class _Node:
    level: int
    segment: _Segment
    context: str | None
    path: tuple[str, ...] = ()


@dataclass
class BodyReading:
    """What the body added to the card besides its fields: the title, extra sections, warnings."""

    title: Heading | None = None
    extras: list[ExtraSection] = field(default_factory=list)
    warnings: list[FormatWarning] = field(default_factory=list)

    def unless_placeholder(self, text: str, place: str, line: int) -> str:
        """``text``, or nothing (with a placeholder warning) when it is only the template's."""
        found = placeholder_only(text)
        if found is None:
            return text
        self.warnings.append(FormatWarning(f"line {line}", placeholder_message(place, found)))
        return ""


def _marker_of(lines: list[str], file: str) -> tuple[str | None, list[str]]:
    """The source marker that opens a block, and the block's lines without it."""
    for index, line in enumerate(lines):
        if line.strip():
            source = read_source_marker(line, file)
            if source is None:
                return None, lines
            return source, lines[:index] + lines[index + 1 :]
    return None, lines


def _segments(
    blocks: list[Block], file: str, reading: BodyReading
) -> tuple[list[str], list[_Segment]]:
    """The preamble lines and the segments of the body, in document order."""
    preamble = list(blocks[0].lines)
    segments: list[_Segment] = []
    stack: list[_Node] = []
    for index, block in enumerate(blocks[1:]):
        heading = block.heading
        assert heading is not None  # only the first block has no heading
        if index == 0 and _is_title(heading):
            reading.title = heading
            preamble.extend(block.lines)
            continue
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parent = stack[-1] if stack else None
        source, lines = _marker_of(block.lines, file)
        if source is not None:
            segment = _Segment(None, heading, heading.display, source, list(lines), forced=True)
            segments.append(segment)
            stack.append(_Node(heading.level, segment, None, (heading.display,)))
            continue
        target = resolve_heading(heading.key, parent.context if parent else None)
        if target is not None:
            if parent is not None and parent.segment.target == target:
                parent.segment.lines.extend((heading.raw, *lines))
                segment = parent.segment
            else:
                segment = _Segment(target, heading, heading.display, "", list(lines))
                segments.append(segment)
            stack.append(_Node(heading.level, segment, section_of(target)))
        elif parent is not None and parent.segment.target is not None:
            parent.segment.lines.extend((heading.raw, *lines))
            stack.append(_Node(heading.level, parent.segment, parent.context))
        else:
            path = (*(parent.path if parent else ()), heading.display)
            segment = _Segment(None, heading, heading.display, " > ".join(path), list(lines))
            if parent is not None:
                parent.segment.has_extra_child = True
            segments.append(segment)
            stack.append(_Node(heading.level, segment, None, path))
    return preamble, segments


def _owner(item: str, default: str) -> Owner:
    keyed = parse_keyed(item, _OWNER_KEYS)
    if keyed is not None:
        return Owner(**keyed)
    if default == "authors":
        return Owner(name=item, role=AUTHOR_ROLE)
    return Owner(contact=item)


def _dataset(item: str) -> DatasetRef:
    keyed = parse_keyed(item, _DATASET_KEYS)
    if keyed is None:
        return DatasetRef(name=item)
    return DatasetRef(
        name=keyed.get("name", ""),
        link=keyed.get("link", ""),
        description=keyed.get("description", ""),
        sensitive_data=keyed.get("sensitive data", ""),
    )


def _risk(item: str) -> Risk:
    keyed = parse_keyed(item, _RISK_KEYS)
    if keyed is None:
        return Risk(name=item)
    return Risk(name=keyed.get("risk", ""), mitigation=keyed.get("mitigation", ""))


def _list_items(target: str, text: str) -> tuple[str, list[Any]]:
    """The card field a list target fills and the items ``text`` gives it."""
    items = items_of(text)
    if target in ("owners", "owners.authors"):
        return "owners", [_owner(item, target.partition(".")[2]) for item in items]
    if target.endswith(".datasets"):
        return target, [_dataset(item) for item in items]
    if target == "ethical_considerations.risks":
        return target, [_risk(item) for item in items]
    if target == "model_details.references":
        return target, [Reference(reference=item) for item in items]
    return target, items


def _filled_items(text: str, segment: _Segment, reading: BodyReading) -> str:
    """The list ``text`` without the items that are only the template's placeholder."""
    items = items_of(text)
    filled = [
        item
        for item in items
        if reading.unless_placeholder(
            item, f"an item of the section {segment.title!r}", segment.heading.line
        )
    ]
    return text if len(filled) == len(items) else format_items(filled)


def read_body(card: ModelCard, blocks: list[Block], file: str) -> BodyReading:
    """Map the body's blocks onto ``card`` (its fields are appended to, never replaced)."""
    reading = BodyReading()
    preamble, segments = _segments(blocks, file, reading)
    texts: dict[str, list[str]] = {}
    for target in TEXT_TARGETS:
        current = _get(card, target)
        if current:
            texts[target] = [current]
    summary = "\n".join(trim_blank(preamble))
    first_line = reading.title.line if reading.title else 1
    summary = reading.unless_placeholder(summary, "the summary", first_line)
    if summary:
        texts.setdefault("model_details.summary", []).append(summary)
    lists: dict[str, list[Any]] = {}
    # Fields whose first heading held only a placeholder: a later heading for
    # the same field still keeps its heading line.
    placeheld: set[str] = set()
    for segment in segments:
        written = "\n".join(trim_blank(segment.lines))
        text = reading.unless_placeholder(
            written, f"the section {segment.title!r}", segment.heading.line
        )
        if written and not text and segment.target is not None:
            placeheld.add(segment.target)
        if segment.target is None:
            if segment.forced or text or not segment.has_extra_child:
                reading.extras.append(
                    ExtraSection(title=segment.title, text=text, source=segment.source)
                )
        elif segment.target in TEXT_TARGETS:
            if text:
                parts = texts.setdefault(segment.target, [])
                # A second heading for the same field keeps its heading line, so
                # that the joined text still shows where each part began.
                parts.append(
                    f"{segment.heading.raw}\n\n{text}"
                    if parts or segment.target in placeheld
                    else text
                )
        else:
            name, items = _list_items(segment.target, _filled_items(text, segment, reading))
            lists.setdefault(name, list(_get(card, name))).extend(items)
    for target, parts in texts.items():
        _set(card, target, "\n\n".join(parts))
    for name, items in lists.items():
        _set(card, name, items)
    return reading


# -- writing ------------------------------------------------------------------------


def _plain_or_keyed(plain: str, keys: tuple[str, ...], pairs: list[tuple[str, str]]) -> str:
    """``plain`` when it reads back as itself, else the ``key: value`` form."""
    if plain and parse_keyed(plain, keys) is None:
        return plain
    return format_keyed(pairs)


def _item_texts(target: str, value: list[Any]) -> list[str]:
    if target == "owners":
        return [
            _plain_or_keyed(
                owner.contact if not (owner.name or owner.role) else "",
                _OWNER_KEYS,
                [("name", owner.name), ("contact", owner.contact), ("role", owner.role)],
            )
            for owner in value
        ]
    if target.endswith(".datasets"):
        return [
            _plain_or_keyed(
                ref.name if not (ref.link or ref.description or ref.sensitive_data) else "",
                _DATASET_KEYS,
                [
                    ("name", ref.name),
                    ("link", ref.link),
                    ("description", ref.description),
                    ("sensitive data", ref.sensitive_data),
                ],
            )
            for ref in value
        ]
    if target == "ethical_considerations.risks":
        return [
            _plain_or_keyed(
                risk.name if not risk.mitigation else "",
                _RISK_KEYS,
                [("risk", risk.name), ("mitigation", risk.mitigation)],
            )
            for risk in value
        ]
    if target == "model_details.references":
        return [ref.reference for ref in value]
    return [str(item) for item in value]


def _field_text(card: ModelCard, target: str, skip: frozenset[str]) -> str:
    if target in skip:
        return ""
    value = _get(card, target)
    if target in TEXT_TARGETS:
        return str(value)
    return format_items(_item_texts(target, value)) if value else ""


def _heading(level: int, title: str) -> str:
    return f"{'#' * level} {title}"


def _natural_path(extra: ExtraSection) -> list[str] | None:
    """The heading path that reads back as ``extra``'s source, if there is one."""
    parts = extra.source.split(" > ")
    if parts[-1] != extra.title:
        return None
    for part in parts:
        parsed = heading_line(_heading(2, part))
        if (
            parsed is None
            or parsed.title != part
            or display_title(part) != part
            or "\n" in part
            or resolve_heading(heading_key(part), None) is not None
        ):
            return None
    return parts


def _write_extras(extras: list[ExtraSection], level: int, out: list[str]) -> None:
    open_path: list[str] = []
    for index, extra in enumerate(extras):
        path = _natural_path(extra)
        following = extras[index + 1] if index + 1 < len(extras) else None
        if (
            path is not None
            and not extra.text
            and following is not None
            and following.source.startswith(extra.source + " > ")
        ):
            path = None  # an empty parent of a following section would vanish on reading
        if path is None or level + len(path) - 1 > 6:
            out.extend((_heading(level, extra.title), source_marker(extra.source)))
            if extra.text:
                out.append(extra.text)
            open_path = []
            continue
        shared = 0
        while (
            shared < len(path) - 1 and shared < len(open_path) and open_path[shared] == path[shared]
        ):
            shared += 1
        for depth in range(shared, len(path) - 1):
            out.append(_heading(level + depth, path[depth]))
        out.append(_heading(level + len(path) - 1, extra.title))
        if extra.text:
            out.append(extra.text)
        open_path = path


def write_body(card: ModelCard, extras: list[ExtraSection], skip: frozenset[str]) -> str:
    """The Markdown body of ``card``: title, summary, a heading per field, then ``extras``.

    ``skip`` names fields the front matter already carries.
    """
    name = card.model_details.name
    out = [f"# Model Card for {name}" if name else "# Model Card"]
    if card.model_details.summary:
        out.append(card.model_details.summary)
    # Sections go one level up when a text holds headings as deep as the
    # section's own, which would otherwise end the section early on reading.
    section_texts = [_field_text(card, section[1], skip) for section, _ in _LAYOUT]
    section_texts += [extra.text for extra in extras]
    sub_texts = [_field_text(card, sub[1], skip) for _, subs in _LAYOUT for sub in subs]
    level = 2
    if any(min_heading_level(text) <= 2 for text in section_texts + sub_texts):
        level = 1
    for (title, target), subsections in _LAYOUT:
        text = _field_text(card, target, skip)
        subs = [(sub, _field_text(card, sub_target, skip)) for sub, sub_target in subsections]
        if not text and not any(sub_text for _, sub_text in subs):
            continue
        out.append(_heading(level, title))
        if text:
            out.append(text)
        for sub_title, sub_text in subs:
            if sub_text:
                sub_level = level + 1 if min_heading_level(sub_text) > level + 1 else level
                out.extend((_heading(sub_level, sub_title), sub_text))
    _write_extras(extras, level, out)
    return "\n\n".join(out) + "\n"
