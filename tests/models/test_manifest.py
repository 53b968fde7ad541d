"""The bundle manifest's shape: strict types, no unknown keys, hashes and times checked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from countersign.models.manifest import BundleManifest, ManifestAttachment, ManifestCard

SHA = "9aafb9ba04757046dc5a87b9adb4bb7302392585d8d7e0c0afd06d22402e1e72"


def manifest(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "countersign-bundle",
        "format_version": 1,
        "team": "Credit Risk Analytics",
        "created": "2024-06-03T09:30:00Z",
        "producer": "countersign 0.1.0",
        "cards": [
            {
                "path": "credit-scorer.json",
                "model": "credit-scorer",
                "version": "2.0.0",
                "sha256": SHA,
            }
        ],
        "attachments": [
            {
                "path": "credit-scorer/roc.png",
                "card": "credit-scorer.json",
                "sha256": SHA,
                "media_type": "image/png",
            }
        ],
    }
    data.update(change)
    return data


def test_a_good_manifest_reads_and_says_when_it_was_made() -> None:
    read = BundleManifest.model_validate(manifest())
    assert read.cards[0] == ManifestCard(
        path="credit-scorer.json", model="credit-scorer", version="2.0.0", sha256=SHA
    )
    assert read.cards[0].format is None
    assert read.attachments[0] == ManifestAttachment(
        path="credit-scorer/roc.png", card="credit-scorer.json", sha256=SHA, media_type="image/png"
    )
    assert read.created_at() == datetime.datetime(2024, 6, 3, 9, 30, tzinfo=datetime.UTC)
    assert read.created == "2024-06-03T09:30:00Z"  # the text is kept as sent


def test_attachments_may_be_left_out() -> None:
    data = manifest()
    del data["attachments"]
    assert BundleManifest.model_validate(data).attachments == []


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"format": "countersign-card"}, ("format",)),
        ({"format_version": True}, ("format_version",)),
        ({"format_version": 2}, ("format_version",)),
        ({"team": 7}, ("team",)),
        ({"producer": ""}, ("producer",)),
        ({"created": "2024-06-03"}, ("created",)),
        ({"cards": []}, ("cards",)),
        ({"comment": "hello"}, ("comment",)),
    ],
)
def test_manifest_shape_is_strict(change: dict[str, Any], location: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        BundleManifest.model_validate(manifest(**change))
    assert caught.value.errors()[0]["loc"] == location


@pytest.mark.parametrize("sha", ["A" * 64, "a" * 63, "g" * 64, " " + "a" * 63])
def test_sha256_is_64_lowercase_hex_digits(sha: str) -> None:
    with pytest.raises(ValidationError, match="64 lowercase hexadecimal digits"):
        ManifestCard(path="a.json", model="a", version="1", sha256=sha)


def test_manifest_is_immutable() -> None:
    read = BundleManifest.model_validate(manifest())
    with pytest.raises(ValidationError):
        read.team = "Someone Else"  # type: ignore[misc]
