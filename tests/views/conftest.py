"""Registries and windows for the workstation's GUI tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from countersign.services.storage.database import Database
from countersign.services.workstation import Services, open_services
from countersign.views.background import worker_pool
from countersign.views.main_window import MainWindow
from tests.helpers.bundles import signed_bundle, write
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import native_card, write_card

CATS_AND_DOGS = "Fine-tuned MobileNetV2 Model for Cat vs. Dogs"
"""The model of the MCT corpus card with an embedded PNG and a format warning."""

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


@pytest.fixture
def workstation(tmp_path: Path, corpus: Path) -> Iterator[Services]:
    """The services of a registry with corpus MCT cards, a signed bundle, and native cards of
    three teams, built as the program builds them (keys in an in-memory keyring)."""
    services = open_services(
        str(tmp_path / "registry.sqlite3"), keyring=MemoryKeyring(), actor="officer"
    )
    importer = services.importer
    for name in ("mct-testdata-cats_vs_dogs_v0_0_1.json", "mct-testdata-considerations.json"):
        report = importer.import_file(corpus / "mct" / name, team="Vision Lab")
        assert report.ok, report.plan.reason()
    bundle = write(tmp_path, "credit-scorer.cardbundle", signed_bundle())
    assert importer.import_file(bundle).ok
    cards = tmp_path / "cards"
    cards.mkdir()
    for version in ("1.0", "1.1"):
        path = write_card(
            cards, f"loan-{version}.json", native_card("loan-default-scorer", version)
        )
        assert importer.import_file(path, team="Risk Analytics").ok
    unsafe = native_card(
        "fraud-screening",
        "0.9",
        risk_rating="medium",
        model_details={"name": "fraud-screening", "version": "0.9", "summary": UNSAFE_SUMMARY},
    )
    path = write_card(cards, "fraud.json", unsafe)
    assert importer.import_file(path, team="Payments").ok
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
