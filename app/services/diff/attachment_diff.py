"""The attachments of two card versions paired up: the same file, a new edition of it, or alone.

A team that re-sends its ROC chart often renames it (``roc-2025H1.svg`` becomes
``roc-2025H2.svg``), so attachments are paired first by path, then, among
those of the same media type left over, by how alike their names are; what
has no counterpart is added or removed.  The pairs are what the Compare tab
puts side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import PurePosixPath
from typing import Literal

from countersign.services.registry import AttachmentInfo

AttachmentKind = Literal["same", "changed", "added", "removed"]
"""How an attachment fared between two versions."""

IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "image/svg+xml"}
)
"""Media types compared as pictures."""

NAME_LIKENESS = 0.6
"""How alike two file names must be (0 to 1) to count as editions of one attachment."""


@dataclass(frozen=True)
class AttachmentPair:
    """An attachment of the old version, of the new one, or of both, and how it fared."""

    old: AttachmentInfo | None
    new: AttachmentInfo | None

    @property
    def kind(self) -> AttachmentKind:
        """Same bytes, changed, only in the new version (added) or only in the old (removed)."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "same" if self.old.sha256 == self.new.sha256 else "changed"

    @property
    def is_image(self) -> bool:
        """Whether both sides (those present) are pictures."""
        return all(
            side.media_type in IMAGE_TYPES for side in (self.old, self.new) if side is not None
        )

    def label(self) -> str:
        """The pair as an officer reads it: ``roc.svg`` or ``roc-2025H1.svg → roc-2025H2.svg``."""
        old = _name(self.old.path) if self.old is not None else ""
        new = _name(self.new.path) if self.new is not None else ""
        if not old or not new or old == new:
            return old or new
        return f"{old} → {new}"


def pair_attachments(old: list[AttachmentInfo], new: list[AttachmentInfo]) -> list[AttachmentPair]:
    """Pair the attachments of an old and a new version: by path, then by alike names.

    The pairs come in the new version's order, removed attachments last.
    """
    by_path = {item.path: item for item in old}
    paired: dict[int, AttachmentInfo] = {}
    left = []
    for item in new:
        match = by_path.pop(item.path, None)
        if match is not None:
            paired[item.id] = match
        else:
            left.append(item)
    unmatched = list(by_path.values())
    for item in left:
        scored = [
            (SequenceMatcher(None, _name(item.path), _name(other.path)).ratio(), index)
            for index, other in enumerate(unmatched)
            if other.media_type == item.media_type
        ]
        if scored:
            likeness, index = max(scored)
            if likeness >= NAME_LIKENESS:
                paired[item.id] = unmatched.pop(index)
    pairs = [AttachmentPair(paired.get(item.id), item) for item in new]
    pairs.extend(AttachmentPair(item, None) for item in old if item in unmatched)
    return pairs


def _name(path: str) -> str:
    return PurePosixPath(path).name
