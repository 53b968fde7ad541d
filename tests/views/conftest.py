"""Registries and windows for the workstation's GUI tests."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from countersign.services.importing.importer import LooseCardInfo
from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, Services, open_services
from countersign.views.background import worker_pool
from countersign.views.main_window import MainWindow
from countersign.views.registry.browser import RegistryBrowser
from tests.helpers.bundles import signed_bundle, write
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring
from tests.helpers.mct import PHOTO_CLASSIFIER, write_mct_cards
from tests.helpers.registry import native_card, write_card

CATS_AND_DOGS = PHOTO_CLASSIFIER
"""The model of the MCT card with an embedded PNG and a format warning (tests/helpers/mct.py)."""

UNSAFE_SUMMARY = (
    "Scores <b>bold claims</b> <img src='https://tracker.example/pixel.png'> "
    "and links to [the docs](https://docs.example.com/model) "
    "with a chart ![roc](https://charts.example.com/roc.png)"
)


def wait_for_background() -> None:
    """Let every background task finish and deliver its result."""
    worker_pool().waitForDone(10_000)
    QApplication.processEvents()
    QApplication.processEvents()


def settle(qtbot: QtBot, widget: MainWindow | RegistryBrowser) -> None:
    """Let the row a test made current be announced (its short timer fire), not left pending.

    ``widget`` is the registry browser or the window holding it.  pytest-qt closes a
    test's widgets before its fixtures' teardown; one already deleted took its timer
    with it.
    """

    def settled() -> bool:
        try:
            browser = widget.browser if isinstance(widget, MainWindow) else widget
            return not browser.selection_pending
        except RuntimeError:  # the C++ object is gone, and its timer with it
            return True

    qtbot.waitUntil(settled, timeout=5000)


@pytest.fixture(scope="session")
def workstation_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workstation registry, built once per session (and per xdist worker), read by none.

    Two MCT cards, a signed bundle, and native cards of three teams, imported as the
    program imports them.  Every card is the project's own (never the shared corpus),
    so these tests run anywhere.  Each test gets a copy (:func:`workstation`).
    """
    folder = tmp_path_factory.mktemp("workstation")
    with open_services(
        str(folder / "registry.sqlite3"), ServiceOptions(keyring=MemoryKeyring(), actor="officer")
    ) as services:
        importer = services.importer
        for path in write_mct_cards(folder / "mct"):
            report = importer.import_file(path, LooseCardInfo(team="Vision Lab"))
            assert report.ok, report.plan.reason()
        bundle = write(folder, "credit-scorer.cardbundle", signed_bundle())
        assert importer.import_file(bundle).ok
        cards = folder / "cards"
        cards.mkdir()
        for version in ("1.0", "1.1"):
            path = write_card(
                cards, f"loan-{version}.json", native_card("loan-default-scorer", version)
            )
            assert importer.import_file(path, LooseCardInfo(team="Risk Analytics")).ok
        unsafe = native_card(
            "fraud-screening",
            "0.9",
            risk_rating="medium",
            model_details={"name": "fraud-screening", "version": "0.9", "summary": UNSAFE_SUMMARY},
        )
        path = write_card(cards, "fraud.json", unsafe)
        assert importer.import_file(path, LooseCardInfo(team="Payments")).ok
    # Closed: the write-ahead log is folded into the file, which is all there is to copy.
    assert not (folder / "registry.sqlite3-wal").exists()
    return folder / "registry.sqlite3"


@pytest.fixture
def workstation(tmp_path: Path, workstation_registry: Path) -> Iterator[Services]:
    """The services of a copy of :func:`workstation_registry` of the test's own, built as the
    program builds them (keys in an in-memory keyring, with cheap key derivation)."""
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(workstation_registry, path)
    services = open_services(
        str(path), ServiceOptions(keyring=MemoryKeyring(), actor="officer", key_rounds=TEST_ROUNDS)
    )
    yield services
    wait_for_background()
    services.close()


@pytest.fixture
def workstation_db(workstation: Services) -> Database:
    """The registry of :func:`workstation`."""
    return workstation.database


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own, never the officer's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, workstation: Services, settings: QSettings) -> Iterator[MainWindow]:
    """The main window on the workstation registry, shown and counted."""
    main = MainWindow(workstation, settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: main.counts_label.text() != "Counting…", timeout=10_000)
    yield main
    settle(qtbot, main)
    wait_for_background()


def insert_models(db_path: Path, count: int, teams: int = 7) -> None:
    """Add ``count`` bare models straight into the models table (fast, for paging tests)."""
    connection = sqlite3.connect(db_path)
    try:
        connection.executemany(
            "INSERT INTO models (name, team, risk_tier, latest_version, status, version_count,"
            " created_at, last_activity) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
            [
                (
                    f"model-{i:05d}",
                    f"Team {i % teams}",
                    ("low", "medium", "high")[i % 3],
                    f"1.{i % 10}",
                    ("submitted", "approved")[i % 2],
                    "2026-01-01T00:00:00.000000Z",
                    f"2026-01-{1 + i % 28:02d}T00:00:00.000000Z",
                )
                for i in range(count)
            ],
        )
        connection.commit()
    finally:
        connection.close()
