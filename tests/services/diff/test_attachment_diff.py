"""Pairing the attachments of two card versions: by path, then by alike names."""

from __future__ import annotations

from countersign.services.diff.attachment_diff import pair_attachments
from countersign.services.registry import AttachmentInfo


def _file(id_: int, path: str, sha: str, media_type: str = "image/svg+xml") -> AttachmentInfo:
    return AttachmentInfo(id_, path, media_type, 10, sha * 64)


def test_a_renamed_chart_pairs_with_its_old_edition() -> None:
    old = [_file(1, "m/calibration-2025H1.svg", "a"), _file(2, "m/notes.txt", "b", "text/plain")]
    new = [_file(3, "m/calibration-2025H2.svg", "c"), _file(4, "m/notes.txt", "b", "text/plain")]
    pairs = pair_attachments(old, new)
    assert [(p.kind, p.label(), p.is_image) for p in pairs] == [
        ("changed", "calibration-2025H1.svg → calibration-2025H2.svg", True),
        ("same", "notes.txt", False),
    ]


def test_unlike_names_or_types_are_added_and_removed() -> None:
    old = [_file(1, "m/roc.png", "a", "image/png"), _file(2, "m/roc.svg", "b")]
    new = [_file(3, "m/fairness-report.svg", "c"), _file(4, "m/roc.jpeg", "d", "image/jpeg")]
    pairs = pair_attachments(old, new)
    assert [(p.kind, p.label()) for p in pairs] == [
        ("added", "fairness-report.svg"),
        ("added", "roc.jpeg"),
        ("removed", "roc.png"),
        ("removed", "roc.svg"),
    ]
