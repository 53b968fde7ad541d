"""Card drafts: a card a team is writing, kept in a file, never in the registry.

A draft is the canonical card plus where it lives and the format it is
written in: a Hugging Face README (with a ``model-index``) or Countersign's
native JSON.  A draft enters a registry only through the normal import, so
the audit trail and the review rules never see it until it is sent.

Saving never loses what was opened: the card keeps its extra sections and
every field the editor has no place for, and a README keeps its front matter
keys (the writer puts unknown keys back from the "Metadata" section; the keys
the reader folds into card fields, ``library_name`` and ``pipeline_tag``, are
put back here, as long as the card still says the same).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from countersign.errors import InputRefused
from countersign.formats.base import FormatWarning
from countersign.formats.detect import read_card
from countersign.formats.huggingface.readme import read_huggingface, write_huggingface
from countersign.formats.limits import MAX_CARD_BYTES, YamlProblem, load_yaml
from countersign.models.card import ModelCard
from countersign.models.vocabulary import CardFormat, DraftFormat
from countersign.plain_files import read_plain
from countersign.services.drafts.completeness import (
    Completeness,
    ItemStatus,
    TemplateChoice,
    judge,
    load_template,
)
from countersign.services.drafts.errors import DraftRefused
from countersign.services.drafts.model_info import card_from_model_info

DRAFT_FORMATS: tuple[DraftFormat, ...] = tuple(DraftFormat)
SUFFIXES: dict[str, str] = {draft_format: draft_format.suffix for draft_format in DraftFormat}
FORMAT_LABELS: dict[str, str] = {draft_format: draft_format.label for draft_format in DraftFormat}


@dataclass(repr=False, eq=False)
class CardDraft:
    """A model card being written: the canonical card, its file and its format.

    ``attachments`` are files that travel with the card in a bundle (plots,
    data sheets).  ``warnings`` are what the reader noticed when the draft was
    opened from a file.
    """

    card: ModelCard = field(default_factory=ModelCard)
    _: KW_ONLY
    path: Path | None = None
    format: DraftFormat = DraftFormat.NATIVE
    attachments: list[Path] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: list[FormatWarning] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The draft keeps copies: the caller's lists and mapping stay theirs.
        self.attachments = list(self.attachments)
        self.front_matter = dict(self.front_matter)
        self.warnings = list(self.warnings)

    def __repr__(self) -> str:
        details = self.card.model_details
        return (
            f"CardDraft(name={details.name!r}, version={details.version!r}, "
            f"format={self.format!r}, path={str(self.path) if self.path else None!r})"
        )

    @property
    def name(self) -> str:
        """The model's name as the card gives it."""
        return self.card.model_details.name

    @property
    def version(self) -> str:
        """The model version the card describes."""
        return self.card.model_details.version

    def text(self, format: DraftFormat | None = None) -> str:
        """The card as the file ``save`` writes, in ``format`` (the draft's own by default)."""
        chosen = format or self.format
        if chosen == DraftFormat.NATIVE:
            return native_text(self.card)
        if chosen == DraftFormat.HUGGINGFACE:
            return _readme(self.card, self.front_matter)
        raise DraftRefused("", "format", f"{chosen!r} is not one of {', '.join(DRAFT_FORMATS)}")

    def save(self, path: str | Path | None = None, format: DraftFormat | None = None) -> Path:
        """Write the card to ``path`` (its own by default), atomically; returns the path.

        The format is ``format``, else the one the file name says (``.md``: a
        Hugging Face README, ``.json``: native), else the draft's own.  From
        then on the draft lives in that file, in that format.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise DraftRefused("", "path", "the draft has no file yet; say where to save it")
        chosen = format or format_for(target) or self.format
        if chosen not in DRAFT_FORMATS:
            raise DraftRefused(
                str(target), "format", f"{chosen!r} is not one of {', '.join(DRAFT_FORMATS)}"
            )
        text = self.text(chosen)
        _write_atomically(target, text.encode("utf-8"))
        self.path = target
        self.format = chosen
        return target

    def import_warnings(self, format: DraftFormat | None = None) -> list[FormatWarning]:
        """The format warnings an import of the saved card would record (none for native)."""
        chosen = format or self.format
        if chosen == DraftFormat.NATIVE:
            return []
        try:
            return read_huggingface(self.text(chosen), self.file_name(chosen)).warnings
        except InputRefused as refusal:
            return [FormatWarning(refusal.field or "card", refusal.reason)]

    def completeness(self, template: TemplateChoice = "standard") -> Completeness:
        """Every item of ``template`` judged over this card, as a review would pre-fill it."""
        return judge(self.card, load_template(template), self.import_warnings())

    def missing(self, template: TemplateChoice = "standard") -> list[ItemStatus]:
        """What a reviewer will ask for: the items of ``template`` whose automatic check fails.

        Required items come first; each says why it fails (``evidence``).
        Items no check can judge are in :meth:`completeness` as ``manual``.
        """
        return self.completeness(template).missing

    def file_name(self, format: DraftFormat | None = None) -> str:
        """A file name for the card: the model's name made safe, with the format's suffix."""
        chosen = format or self.format
        return f"{slug(self.name) or 'model-card'}{SUFFIXES[chosen]}"


def native_text(card: ModelCard) -> str:
    """The card as native JSON with only the fields it fills: what a team reads and edits.

    The fields left out hold their defaults, so the file reads back as the same card.
    """
    filled = card.model_dump(mode="json", exclude_defaults=True)
    document = {"format": card.format, "format_version": card.format_version, **filled}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def slug(text: str) -> str:
    """``text`` as a safe file name stem: letters, digits, dots, dashes and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip(".-")
    return cleaned[:80]


def format_for(path: Path) -> DraftFormat | None:
    """The draft format a file name says: ``.md`` is a README, ``.json`` native; else None."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return DraftFormat.HUGGINGFACE
    if suffix == ".json":
        return DraftFormat.NATIVE
    return None


def create_model_card(
    model_info: Mapping[str, Any],
    path: str | Path | None = None,
    *,
    format: DraftFormat | None = None,
) -> CardDraft:
    """A card draft from a training pipeline's model info; saved to ``path`` when given.

    ``model_info`` holds ``name``, ``version``, ``metrics`` (a mapping of
    names to values, or a list of metrics with ``dataset``, ``split`` and
    ``slice``), ``limitations`` (a text or a list) and any field of the
    canonical card.  A bad key or value raises
    :class:`~countersign.services.drafts.errors.ModelInfoRefused` naming it.
    """
    draft = CardDraft(card_from_model_info(model_info), format=format or DraftFormat.NATIVE)
    if path is not None:
        draft.save(path, format)
    return draft


def open_draft(path: str | Path) -> CardDraft:
    """Open a card file of any supported format as a draft (bounded, as an import reads it).

    A Hugging Face README stays one, saved in place; native JSON too.  A card in
    any other format becomes a native draft with no file yet, so that saving
    never overwrites the team's original with another format.
    """
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > MAX_CARD_BYTES:
            raise DraftRefused(
                str(target), "", f"the file is over {MAX_CARD_BYTES // 1024 // 1024} MiB"
            )
        data = read_plain(target)
    except OSError as error:
        raise DraftRefused(str(target), "", f"cannot be read: {error.strerror or error}") from None
    try:
        read = read_card(data, target.name)
    except InputRefused as refusal:
        raise DraftRefused(str(target), refusal.field, refusal.reason) from None
    attachments = attachments_beside(target)
    if read.source_format == CardFormat.HUGGINGFACE:
        return CardDraft(
            read.card,
            path=target,
            format=DraftFormat.HUGGINGFACE,
            attachments=attachments,
            front_matter=_front_matter_of(data.decode("utf-8", "replace")),
            warnings=read.warnings,
        )
    # Another format is never overwritten with native JSON: such a draft has no file until
    # it is saved somewhere, as a new file.
    native = read.source_format == CardFormat.NATIVE_JSON and target.suffix.lower() == ".json"
    return CardDraft(
        read.card,
        path=target if native else None,
        format=DraftFormat.NATIVE,
        attachments=attachments,
        warnings=read.warnings,
    )


def attachments_beside(card_file: Path) -> list[Path]:
    """The files in the folder named after ``card_file``'s stem, as ``bundle create`` takes them.

    ``credit-scorer/roc.png`` belongs to ``credit-scorer.md``; only the folder's own files.
    """
    folder = card_file.parent / card_file.stem
    try:
        return sorted(child for child in folder.iterdir() if child.is_file())
    except OSError:
        return []


# -- README front matter ----------------------------------------------------------------


_FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)


def _front_matter_of(text: str) -> dict[str, Any]:
    """The README's front matter as data, or nothing when it is absent or unreadable."""
    match = _FRONT.match(text.lstrip("\ufeff").replace("\r\n", "\n"))
    if match is None:
        return {}
    try:
        value = load_yaml(match.group(1), "README.md", "front matter")
    except (YamlProblem, InputRefused):
        return {}
    return value if isinstance(value, dict) else {}


def _readme(card: ModelCard, original: Mapping[str, Any]) -> str:
    """The README of ``card``, with the opened file's front matter keys and order kept."""
    plain = write_huggingface(card)
    if not original:
        return plain
    match = _FRONT.match(plain)
    written: dict[str, Any] = _front_matter_of(plain) if match else {}
    body = plain[match.end() :] if match else "\n" + plain
    front = dict(written)
    library = original.get("library_name")
    tags = front.get("tags")
    original_tags = original.get("tags") if isinstance(original.get("tags"), list) else []
    if isinstance(library, str) and isinstance(tags, list) and library in tags:
        if library not in (original_tags or []):
            rest = [tag for tag in tags if tag != library]
            if rest:
                front["tags"] = rest
            else:
                del front["tags"]
        front["library_name"] = library
    pipeline = original.get("pipeline_tag")
    if (
        isinstance(pipeline, str)
        and "pipeline_tag" not in front
        and card.model_details.model_type == pipeline
    ):
        front["pipeline_tag"] = pipeline
    ordered = {key: front[key] for key in original if key in front}
    ordered.update((key, value) for key, value in front.items() if key not in ordered)
    if ordered == written and list(ordered) == list(written):
        return plain
    text = f"---\n{_dump_yaml(ordered)}---\n{body}"
    try:
        same = read_huggingface(text, "README.md").card == read_huggingface(plain, "README.md").card
    except InputRefused:
        same = False
    # Never write a file that reads back as another card: the plain writer's is exact.
    return text if same else plain


def _dump_yaml(data: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,
    )
    return text


def _write_atomically(target: Path, data: bytes) -> None:
    """Write via a temporary file beside ``target``, so a failure leaves the old file whole."""
    if not target.parent.is_dir():
        raise DraftRefused(str(target), "", f"the folder {target.parent} does not exist")
    temporary = target.parent / f".{target.name}.{secrets.token_hex(8)}.part"
    try:
        with temporary.open("xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise DraftRefused(
            str(target), "", f"cannot be written: {error.strerror or error}"
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
