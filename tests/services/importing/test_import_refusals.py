"""Every refusal, through the whole import path: a file on disk, the importer, the registry.

Each hostile input is refused with a message naming the file and the field,
the registry's data tables do not change, exactly one ``import.refused``
event is added, and the audit chain still verifies.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from countersign.services.audit.trail import verify_chain
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.storage.database import Database
from tests.helpers import bundles
from tests.helpers.registry import (
    Place,
    audit_actions,
    native_card,
    place_of,
    row_counts,
    write_card,
)

BILLION_LAUGHS_CARD = (
    "---\n"
    + "\n".join(
        [
            "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']",
            *[
                f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
                for i in range(8)
            ],
        ]
    )
    + "\n---\n# Model\n"
)


def _manifest(**changes: object) -> bytes:
    return bundles.with_manifest({**bundles.good_manifest(), **changes})


def _hash_mismatch() -> bytes:
    manifest = bundles.good_manifest()
    manifest["cards"][0]["sha256"] = "0" * 64
    return bundles.with_manifest(manifest)


def _missing_file() -> bytes:
    manifest = bundles.good_manifest()
    manifest["cards"].append({**manifest["cards"][0], "path": "absent.json", "version": "9"})
    return bundles.with_manifest(manifest)


def _card_in_bundle(name: str, content: bytes) -> bytes:
    cards = [(name, content)]
    manifest = {
        **bundles.good_manifest(),
        "cards": [
            {"path": name, "model": "m", "version": "1", "sha256": bundles.sha256_hex(content)}
        ],
        "attachments": [],
    }
    return bundles.bundle_of(manifest, cards)


BUNDLES: dict[str, tuple[Callable[[], bytes], str]] = {
    "not a zip": (lambda: b"this is plain text, not a zip file at all", "not a zip"),
    "truncated": (bundles.truncated_bundle, "truncated or damaged"),
    "empty": (bundles.empty_zip, "empty"),
    "no manifest": (
        lambda: bundles.raw_zip([bundles.Entry("card.md", b"# Card\n")]),
        "manifest.json",
    ),
    "manifest not JSON": (lambda: bundles.with_manifest(b"{not json"), "manifest.json"),
    "manifest wrong type": (lambda: _manifest(team=42), "team"),
    "unknown format version": (lambda: _manifest(format_version=2), "newer Countersign"),
    "unknown format": (lambda: _manifest(format="zip-of-cards"), "format"),
    "listed file missing": (_missing_file, "absent.json"),
    "file not listed": (
        lambda: bundles.with_entries(bundles.Entry("extra.md", b"# x\n")),
        "extra.md",
    ),
    "duplicate names": (bundles.duplicate_names_bundle, "credit-scorer-v1.json"),
    "hash mismatch": (_hash_mismatch, "sha256"),
    "absolute path": (lambda: bundles.path_bundle("/etc/cron.d/evil"), "/etc/cron.d/evil"),
    "climbing path": (lambda: bundles.path_bundle("../../evil.md"), "../../evil.md"),
    "symlink": (bundles.symlink_bundle, "passwd.md"),
    "encrypted": (bundles.encrypted_bundle, "secret.md"),
    "zip bomb": (bundles.zip_bomb, "bomb.json"),
    "compression ratio": (bundles.high_ratio_bundle, "over the 100:1 limit"),
    "too many entries": (bundles.too_many_entries_bundle, "entries"),
    "invalid team signature": (lambda: bundles.signed_bundle(tamper=True), "signature"),
    "card not UTF-8": (lambda: _card_in_bundle("latin.md", b"# Caf\xe9\n"), "not UTF-8"),
    "YAML alias bomb": (
        lambda: _card_in_bundle("laughs.md", BILLION_LAUGHS_CARD.encode()),
        "alias bomb",
    ),
    "JSON nested too deep": (
        lambda: _card_in_bundle("deep.json", b'{"a":' * 100 + b"1" + b"}" * 100),
        "nested more than 64 levels",
    ),
    "not a card": (
        lambda: _card_in_bundle("list.json", b"[1, 2, 3]"),
        "not a model card",
    ),
}


@pytest.fixture
def registry(tmp_path: Path, registry_db: str) -> Iterator[tuple[Database, Place]]:
    """A registry holding one card, on SQLite and on PostgreSQL: a refusal changes neither."""
    db = Database.open(registry_db)
    Importer(db).import_file(write_card(tmp_path, "seed.json", native_card("seed-model", "1.0")))
    yield db, place_of(db)
    db.dispose()


@pytest.mark.parametrize("case", sorted(BUNDLES))
def test_hostile_bundle_is_refused_and_changes_nothing(
    case: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, db_path = registry
    build, expected = BUNDLES[case]
    path = tmp_path / "incoming.cardbundle"
    path.write_bytes(build())
    before = row_counts(db_path)

    start = time.process_time()
    report = Importer(db).import_file(path)
    elapsed = time.process_time() - start

    assert not report.ok and not report.landed
    reason = report.plan.reason()
    assert "incoming.cardbundle" in reason
    assert expected in reason, reason
    assert row_counts(db_path) == {**before, "audit_events": before["audit_events"] + 1}
    assert audit_actions(db_path)[-1] == "import.refused"
    with db.read() as session:
        assert verify_chain(session).ok
    assert elapsed < 10  # generous: the zip bomb must be refused without inflating 1 GiB


def test_refusal_names_the_card_file_inside_the_bundle(
    registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, _ = registry
    path = tmp_path / "incoming.cardbundle"
    path.write_bytes(_card_in_bundle("latin.md", b"# Caf\xe9\n"))
    reason = Importer(db).import_file(path).plan.reason()
    assert "incoming.cardbundle: latin.md: byte 5: the file is not UTF-8 text" in reason


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.md", b"", "the file is empty"),
        ("latin.md", b"# Caf\xe9\n", "not UTF-8"),
        ("schema.json", json.dumps({"$schema": "x", "properties": {}}).encode(), "JSON Schema"),
        ("prose.md", b"just a sentence with no heading\n", "not a model card"),
        ("binary.md", b"\x00\x01\x02", "binary"),
    ],
)
def test_loose_non_card_is_refused_and_changes_nothing(
    name: str, content: bytes, expected: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, db_path = registry
    path = tmp_path / name
    path.write_bytes(content)
    before = row_counts(db_path)
    report = Importer(db).import_file(path, LooseCardInfo(model="m", version="1"))
    assert not report.ok
    assert name in report.plan.reason() and expected in report.plan.reason()
    assert row_counts(db_path) == {**before, "audit_events": before["audit_events"] + 1}


def test_missing_file_is_refused(registry: tuple[Database, Place], tmp_path: Path) -> None:
    db, _ = registry
    report = Importer(db).import_file(tmp_path / "nowhere.md")
    assert "nowhere.md: no such file (or it is a folder)" in report.plan.reason()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("waiting.cardbundle", "waiting.cardbundle: is not a file"),
        ("waiting.json", "waiting.json: cannot be read: not a plain file (a pipe, a device"),
        ("waiting", "waiting: cannot be read: not a plain file (a pipe, a device or a socket)"),
    ],
)
def test_a_pipe_is_refused_at_once_not_waited_on(
    name: str, expected: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    """A named pipe blocks whoever opens it until a writer comes, and reading it until
    the writer stops: it is refused without being read (it hung the import for ever)."""
    db, db_path = registry
    pipe = tmp_path / name
    os.mkfifo(pipe)
    before = row_counts(db_path)
    report = Importer(db).import_file(pipe)
    assert expected in report.plan.reason()
    assert report.plan.file_sha256 == ""
    assert row_counts(db_path) == {**before, "audit_events": before["audit_events"] + 1}


def test_a_folder_is_refused_as_no_file(registry: tuple[Database, Place], tmp_path: Path) -> None:
    db, _ = registry
    (tmp_path / "cards").mkdir()
    report = Importer(db).import_file(tmp_path / "cards")
    assert "cards: no such file (or it is a folder)" in report.plan.reason()


def test_reading_that_takes_too_long_is_refused_by_name(
    registry: tuple[Database, Place], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, db_path = registry

    def slow_read(_data: bytes, _file: str, **_options: object) -> None:
        time.sleep(60)  # a parser that found a slow path

    monkeypatch.setattr("countersign.formats.detect.read_card", slow_read)
    path = tmp_path / "incoming.cardbundle"
    path.write_bytes(bundles.good_bundle())
    before = row_counts(db_path)
    start = time.perf_counter()
    report = Importer(db, read_seconds=0.5).import_file(path)
    assert time.perf_counter() - start < 30
    assert not report.ok
    assert report.plan.reason() == (
        "incoming.cardbundle: reading it took longer than 0.5 seconds, the limit for one file; "
        "it is refused"
    )
    assert row_counts(db_path) == {**before, "audit_events": before["audit_events"] + 1}


def test_time_limit_is_checked_between_cards_off_the_main_thread(
    registry: tuple[Database, Place], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from countersign.formats.detect import read_card

    db, _ = registry

    def slow_read(data: bytes, file: str, **options: Any) -> object:
        time.sleep(0.4)
        return read_card(data, file, **options)

    monkeypatch.setattr("countersign.formats.detect.read_card", slow_read)
    path = tmp_path / "incoming.cardbundle"
    path.write_bytes(bundles.good_bundle())
    reasons: list[str] = []
    worker = threading.Thread(
        target=lambda: reasons.append(Importer(db, read_seconds=0.2).plan(path).reason())
    )
    worker.start()
    worker.join(60)
    assert reasons == [
        "incoming.cardbundle: reading it took longer than 0.2 seconds, the limit for one file; "
        "it is refused"
    ]


HOSTILE_JSON_CARDS = {
    "escaped quotes": b'\\"' * (16 * 1024 * 1024 - 100),
    "escaped quotes in the summary": (
        b'{"model_details": {"name": "m", "version": "1", "summary": "'
        + b'\\"' * (16 * 1024 * 1024 - 100)
        + b'"}}'
    ),
    "empty arrays": b'{"x": [' + b"[]," * (11 * 1024 * 1024) + b"[]]}",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON_CARDS))
def test_32_mib_hostile_json_card_is_handled_within_bounds(
    case: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, _ = registry
    path = tmp_path / "hostile.json"
    path.write_bytes(HOSTILE_JSON_CARDS[case])
    start = time.process_time()
    report = Importer(db).import_file(path, LooseCardInfo(model="m", version="1"))
    # Refused or imported, in seconds (the old depth scan took most of an hour).
    assert time.process_time() - start < 40
    assert report.ok or "hostile.json" in report.plan.reason()


def test_manifest_of_escaped_quotes_is_refused_quickly(
    registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, _ = registry
    path = tmp_path / "incoming.cardbundle"
    path.write_bytes(bundles.with_manifest(b'{"team": "x", ' + b'\\"' * 30_000 + b"}"))
    start = time.process_time()
    report = Importer(db).import_file(path)
    assert time.process_time() - start < 10
    assert "incoming.cardbundle: manifest.json" in report.plan.reason()
    assert "not valid JSON" in report.plan.reason()


BAD_NAMES = {
    "blank": (" ", "empty"),
    "slash": ("/", "holds a path separator"),
    "climbing": ("..", "holds '..'"),
    "backslash": ("a\\b", "holds a path separator"),
    "escape": ("\x1b[2Jscorer", "holds the control character U+001B"),
    "delete": ("scorer\x7f", "holds the control character U+007F"),
    "zero width": ("sc\u200borer", "holds the control character U+200B (ZERO WIDTH SPACE)"),
    "override": ("\u202eexe.txt", "holds the control character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "padded": ("scorer ", "begins or ends with a space"),
}


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_bad_model_and_version_names_in_a_manifest_are_refused_with_the_field(
    case: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, db_path = registry
    value, expected = BAD_NAMES[case]
    for key in ("model", "version"):
        manifest = bundles.good_manifest()
        manifest["cards"][1][key] = value
        path = tmp_path / "incoming.cardbundle"
        path.write_bytes(bundles.with_manifest(manifest))
        before = row_counts(db_path)
        reason = Importer(db).import_file(path).plan.reason()
        assert reason.startswith(f"incoming.cardbundle: manifest.json: cards[1].{key}: "), reason
        assert expected in reason
        assert "\x1b" not in reason and "\u202e" not in reason
        assert row_counts(db_path) == {**before, "audit_events": before["audit_events"] + 1}


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_bad_names_of_a_loose_card_are_refused_with_the_field(
    case: str, registry: tuple[Database, Place], tmp_path: Path
) -> None:
    db, _ = registry
    value, expected = BAD_NAMES[case]
    plain = write_card(tmp_path, "plain.json", native_card("scorer", "1.0"))
    for option, field, what in (
        ("model", "--model", "model name"),
        ("version", "--version", "version"),
    ):
        reason = Importer(db).import_file(plain, LooseCardInfo(**{option: value})).plan.reason()
        assert reason.startswith(f"plain.json: {field}: the {what} '"), reason
        assert expected in reason
    if value.strip() == value:  # the card's own name is taken without surrounding spaces
        named = write_card(tmp_path, "named.json", native_card(value, "1.0"))
        reason = Importer(db).import_file(named).plan.reason()
        assert reason.startswith("named.json: model_details.name: the model name '"), reason
        assert expected in reason


def test_one_slow_card_is_interrupted_off_the_main_thread(
    registry: tuple[Database, Place], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window plans imports on a background thread: a single slow card is stopped too."""
    import threading

    db, _ = registry

    def endless_read(_data: bytes, _file: str, **_options: object) -> None:
        while True:  # a parser stuck on a slow path, in Python
            time.sleep(0.01)

    monkeypatch.setattr("countersign.formats.detect.read_card", endless_read)
    path = tmp_path / "slow.cardbundle"
    path.write_bytes(bundles.good_bundle())
    reasons: list[str] = []
    worker = threading.Thread(
        target=lambda: reasons.append(Importer(db, read_seconds=0.3).plan(path).reason())
    )
    start = time.perf_counter()
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert time.perf_counter() - start < 30
    assert reasons == [
        "slow.cardbundle: reading it took longer than 0.3 seconds, the limit for one file; "
        "it is refused"
    ]


def test_the_time_limit_leaves_nothing_behind_when_work_ends_in_time() -> None:
    import threading

    from countersign.services.time_limit import time_limit

    outcomes: list[str] = []

    def work() -> None:
        with time_limit(0.2):
            pass
        time.sleep(0.5)  # past the limit, outside it: nothing may strike now
        outcomes.append("finished")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)
    assert outcomes == ["finished"]
