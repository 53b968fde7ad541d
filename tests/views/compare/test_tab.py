"""The Compare tab: default pair, summary, aligned panes, navigation, locked scrolling, swap."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from countersign.services.diff.text_diff import diff_lines
from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry, VersionSummary
from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, build_services, open_services
from countersign.views.appearance.colours import BAD, GOOD
from countersign.views.compare.diff_rows import (
    LINE_NUMBER_ROLE,
    SPANS_ROLE,
    TAG_ROLE,
    DiffRowsModel,
)
from countersign.views.compare.diff_view import SideBySideDiff
from countersign.views.compare.summary import WORSE_ROW
from countersign.views.compare.tab import NEXT_CHANGE, PREVIOUS_CHANGE, CompareTab, default_pair
from countersign.views.model_page.page import ModelPage
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import native_card, write_card
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

MODEL = "loan-default-scorer"
LIMITATIONS = [
    "Scores are poorly calibrated for applicants with thin credit files.",
    "Not validated for business loans.",
]


def _results(overall: str, young: str) -> dict[str, Any]:
    return {
        "results": [
            {"name": "auc", "value": overall, "numeric": float(overall), "dataset": "holdout-2026"},
            {
                "name": "wer",
                "value": young,
                "numeric": float(young),
                "dataset": "holdout-2026",
                "slice": "age < 25",
            },
        ]
    }


def _versions() -> list[tuple[str, dict[str, Any]]]:
    paragraph = "\n".join(f"Monitoring note {i}: population stability checked." for i in range(60))
    return [
        ("1.0", {"quantitative_analyses": _results("0.85", "12.0")}),
        (
            "1.1",
            {
                "quantitative_analyses": _results("0.87", "11.5"),
                "caveats_and_recommendations": {"limitations": LIMITATIONS},
                "extra_sections": [{"title": "Monitoring", "text": paragraph}],
            },
        ),
        (
            "1.2",
            {
                "license": "apache-2.0",
                "quantitative_analyses": _results("0.89", "11.9"),
                "caveats_and_recommendations": {
                    "limitations": [*reversed(LIMITATIONS), "Outcomes are projected, not observed."]
                },
                "intended_use": {"text": "Ranking  retail loan applications for manual review."},
                "extra_sections": [
                    {
                        "title": "Monitoring",
                        "text": paragraph.replace("note 30:", "note 30 (revised):"),
                    }
                ],
            },
        ),
    ]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    services = open_services(
        str(tmp_path / "registry.sqlite3"), ServiceOptions(keyring=MemoryKeyring(), actor="officer")
    )
    importer = services.importer
    for version, fields in _versions():
        card = native_card(MODEL, version, **fields)
        assert importer.import_file(write_card(tmp_path, f"{version}.json", card)).ok
    single = native_card("lonely-model", "0.1")
    assert importer.import_file(write_card(tmp_path, "lonely.json", single)).ok
    yield services.registry
    wait_for_background()
    services.close()


@pytest.fixture
def tab(qtbot: QtBot, registry: Registry) -> CompareTab:
    widget = CompareTab(registry)
    qtbot.addWidget(widget)
    widget.resize(1440, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _compare(qtbot: QtBot, tab: CompareTab, model: str = MODEL) -> None:
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        tab.set_model(model)


def _summary(status: str, version: str) -> VersionSummary:
    return VersionSummary(
        id=1,
        model=MODEL,
        version=version,
        seq=1,
        status=status,
        sha256="",
        source_format="native-json",
        original_name="card.json",
        imported_at="",
        imported_by="",
        warning_count=0,
        bundle=None,
    )


def test_default_pair_is_last_approved_against_newest() -> None:
    approved = [
        _summary("superseded", "1.0"),
        _summary("approved", "1.1"),
        _summary("changes requested", "1.2"),
        _summary("submitted", "1.3"),
    ]
    assert default_pair(approved) == ("1.1", "1.3")
    none_approved = [_summary("superseded", "1.0"), _summary("submitted", "1.1")]
    assert default_pair(none_approved) == ("1.0", "1.1")
    newest_approved_only = [_summary("superseded", "1.0"), _summary("approved", "1.1")]
    assert default_pair(newest_approved_only) == ("1.0", "1.1")
    assert default_pair([_summary("submitted", "1.0")]) is None


def test_summary_counts_fields_and_colours_metric_deltas(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    assert tab.old_combo.currentData() == "1.1"
    assert tab.new_combo.currentData() == "1.2"
    assert tab.old_combo.currentText() == "1.1 · superseded"
    headline = tab.summary.headline.text()
    assert headline.startswith("1.1 (superseded) → 1.2 (submitted): 8 changes: 6 fields, 2 metrics")
    assert "(1 better, 1 worse)" in headline
    fields = tab.summary.fields
    rows = [[fields.index(r, c).data() for c in range(4)] for r in range(fields.rowCount())]
    assert ["changed", "license", "proprietary", "apache-2.0"] in rows
    assert [
        "added",
        "caveats_and_recommendations.limitations[2]",
        "",
        LIMITATIONS[0][:0] + "Outcomes are projected, not observed.",
    ] in rows
    # Reordered limitations are no change: only the new one is listed.
    assert sum(1 for row in rows if "limitations" in row[1]) == 1
    metrics = tab.summary.metrics
    rows = [[metrics.index(r, c).data() for c in range(6)] for r in range(metrics.rowCount())]
    # What was measured and where lead the row; the one that got worse is listed first.
    assert rows == [
        ["wer", "holdout-2026 / age < 25", "11.5", "11.9", "+0.4", "▼ worse"],
        ["auc", "holdout-2026", "0.87", "0.89", "+0.02", "▲ better"],
    ]
    assert metrics.index(1, 4).data(Qt.ItemDataRole.ForegroundRole) == GOOD.on()
    assert metrics.index(0, 4).data(Qt.ItemDataRole.ForegroundRole) == BAD.on()
    assert metrics.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) == WORSE_ROW
    assert metrics.index(1, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    assert tab.summary.metrics_caption.text() == "Metric results: 1 worse, 1 better"
    tab.summary.worse_first.setChecked(False)
    assert [metrics.index(r, 0).data() for r in range(2)] == ["auc", "wer"]  # card order
    assert tab.summary.sections.text() == (
        "Sections changed: Model details, Intended use, Quantitative analyses,"
        " Caveats and recommendations, Licence, data sets and tags, Monitoring"
    )


def test_panes_align_lines_with_filler_and_marked_words(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    diff = tab.diff_view.diff
    assert diff is not None and not diff.identical
    model = tab.diff_view.model
    assert model.rowCount() == diff.row_count
    # Every row has a line on at least one side, and filler (no number) on at most one.
    for row in range(model.rowCount()):
        numbers = [model.index(row, side).data(LINE_NUMBER_ROLE) for side in (0, 1)]
        assert numbers != [None, None]
    licence = next(
        r for r in range(model.rowCount()) if model.index(r, 1).data() == "**Licence:** apache-2.0"
    )
    assert model.index(licence, 0).data() == "**Licence:** proprietary"
    assert model.index(licence, 0).data(TAG_ROLE) == "replace"
    assert model.index(licence, 1).data(SPANS_ROLE) == ((13, 23),)
    inserted = next(
        r
        for r in range(model.rowCount())
        if model.index(r, 1).data() == "- Outcomes are projected, not observed."
    )
    assert model.index(inserted, 0).data(LINE_NUMBER_ROLE) is None
    assert model.index(inserted, 0).data() == ""
    assert model.index(inserted, 1).data(TAG_ROLE) == "insert"


def test_next_and_previous_change_with_alt_arrows(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    assert tab.next_action.shortcut() == NEXT_CHANGE
    assert tab.previous_action.shortcut() == PREVIOUS_CHANGE
    diff = tab.diff_view.diff
    assert diff is not None
    count = len(diff.changes)
    assert count >= 3
    assert tab.position.text() == f"{count} differences in the text"
    tab.activateWindow()
    tab.diff_view.left.setFocus()
    qtbot.waitUntil(tab.diff_view.left.hasFocus)
    qtbot.keyClick(tab.diff_view.left, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert tab.position.text() == f"Difference 1 of {count}"
    first = diff.changes[0][0]
    assert tab.diff_view.left.currentIndex().row() == first
    assert tab.diff_view.right.currentIndex().row() == first
    qtbot.keyClick(tab.diff_view.left, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    tab.next_change()
    assert tab.position.text() == f"Difference 3 of {count}"
    assert tab.diff_view.left.currentIndex().row() == diff.changes[2][0]
    qtbot.keyClick(tab.diff_view.left, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert tab.position.text() == f"Difference 2 of {count}"
    assert tab.diff_view.right.currentIndex().row() == diff.changes[1][0]
    for _ in range(count + 2):
        tab.next_change()
    assert tab.position.text() == f"Difference {count} of {count}"
    assert not tab.next_button.isEnabled()
    assert tab.previous_button.isEnabled()


def test_scroll_bars_are_locked_together(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    left, right = tab.diff_view.left, tab.diff_view.right
    assert left.verticalScrollBar().maximum() == right.verticalScrollBar().maximum() > 0
    left.verticalScrollBar().setValue(40)
    assert right.verticalScrollBar().value() == 40
    right.verticalScrollBar().setValue(12)
    assert left.verticalScrollBar().value() == 12
    assert right.horizontalScrollBar().maximum() == left.horizontalScrollBar().maximum()
    tab.resize(700, 900)
    qtbot.waitUntil(lambda: left.horizontalScrollBar().maximum() > 0)
    left.horizontalScrollBar().setValue(25)
    assert right.horizontalScrollBar().value() == 25
    # The row at the top is the same row on both sides.
    assert left.rowAt(0) == right.rowAt(0)


def test_swap_puts_the_new_version_on_the_left(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        tab.swap_button.click()
    assert (tab.old_combo.currentData(), tab.new_combo.currentData()) == ("1.2", "1.1")
    comparison = tab.comparison
    assert comparison is not None
    assert comparison.old.summary.version == "1.2"
    metrics = tab.summary.metrics
    deltas = {metrics.index(r, 0).data(): metrics.index(r, 4).data() for r in range(2)}
    assert deltas == {"auc": "-0.02", "wer": "-0.4"}
    diff = tab.diff_view.diff
    assert diff is not None and "**Licence:** apache-2.0" in diff.left_lines


def test_ignore_whitespace_hides_spacing_changes(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)

    def paths() -> list[str]:
        return [tab.summary.fields.change(r).path for r in range(tab.summary.fields.rowCount())]

    assert "intended_use.text" in paths()
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        tab.ignore_whitespace.setChecked(True)
    assert "intended_use.text" not in paths()
    diff = tab.diff_view.diff
    assert diff is not None and diff.ignore_whitespace
    row = diff.right_lines.index("Ranking  retail loan applications for manual review.")
    assert diff.row(diff.row_of_line(row)).tag == "equal"


def test_copy_puts_the_comparison_on_the_clipboard(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    tab.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert text.startswith(f"{MODEL}: 1.1 (superseded) → 1.2 (submitted)\n")
    assert '  changed  license: "proprietary" → "apache-2.0"' in text
    assert "Whole card" in text
    assert "+**Licence:** {+apache-2.0+}" in text


def test_ctrl_c_copies_the_selected_lines_of_one_side(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    diff = tab.diff_view.diff
    assert diff is not None
    view = tab.diff_view.right
    view.selectRow(0)
    view.setFocus()
    view.copy_selection()
    assert QGuiApplication.clipboard().text() == diff.right_lines[0] == "## Model details"


def test_choosing_a_field_goes_to_its_section(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    fields = tab.summary.fields
    row = next(
        r for r in range(fields.rowCount()) if fields.change(r).path.startswith("extra_sections")
    )
    tab.summary.fields_table.activated.emit(fields.index(row, 1))
    diff = tab.diff_view.diff
    assert diff is not None
    current = tab.diff_view.right.currentIndex().row()
    assert diff.right_text(diff.row(current)) == "## Monitoring"


def test_a_model_with_one_version_says_there_is_nothing_to_compare(tab: CompareTab) -> None:
    tab.set_model("lonely-model")
    assert tab.stack.currentWidget() is tab.placeholder
    assert "only one card version" in tab.placeholder.text()
    assert not tab.swap_button.isEnabled()
    tab.set_model("no-such-model")
    assert "no model named 'no-such-model'" in tab.placeholder.text()


def test_a_late_result_for_an_old_choice_is_dropped(qtbot: QtBot, tab: CompareTab) -> None:
    _compare(qtbot, tab)
    tab.choose("1.0", "1.2")
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        tab.choose("1.0", "1.1")
    wait_for_background()
    comparison = tab.comparison
    assert comparison is not None
    assert (comparison.old.summary.version, comparison.new.summary.version) == ("1.0", "1.1")
    assert not tab.busy


def test_a_50000_line_card_never_blocks_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "big.sqlite3"))
    importer = Importer(db, actor="officer")
    lines = [f"Observation {i}: drift {i % 97} within bounds." for i in range(50_000)]
    edited = list(lines)
    for i in range(0, 50_000, 500):
        edited[i] = edited[i].replace("within", "outside")
    for version, text in (("1", lines), ("2", edited)):
        card = native_card(
            "big-model", version, extra_sections=[{"title": "Log", "text": "\n".join(text)}]
        )
        assert importer.import_file(write_card(tmp_path, f"big{version}.json", card)).ok
    tab = CompareTab(Registry(db))
    qtbot.addWidget(tab)
    tab.resize(1440, 900)
    tab.show()
    start = time.perf_counter()
    tab.set_model("big-model")
    assert time.perf_counter() - start < 1.0  # the diff runs on the worker thread
    assert tab.busy
    qtbot.waitSignal(tab.comparison_shown, timeout=30_000).wait()
    diff = tab.diff_view.diff
    assert diff is not None and diff.row_count >= 50_000
    assert len(diff.changes) == 101  # the version line and every 500th observation
    # Showing and scrolling read only the rows on screen.
    start = time.perf_counter()
    tab.diff_view.set_diff(diff)
    tab.diff_view.left.verticalScrollBar().setValue(45_000)
    QGuiApplication.processEvents()
    assert time.perf_counter() - start < 1.0
    assert tab.diff_view.right.verticalScrollBar().value() == 45_000
    wait_for_background()
    db.dispose()


def test_item_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, tab: CompareTab
) -> None:
    _compare(qtbot, tab)
    qtmodeltester.check(tab.summary.fields)
    qtmodeltester.check(tab.summary.metrics)
    qtmodeltester.check(tab.diff_view.model)
    rows = DiffRowsModel()
    rows.set_diff(diff_lines(["a", "b", "c"], ["a", "B", "c", "d"]))
    qtmodeltester.check(rows)
    assert rows.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "line 2, changed: b"
    assert rows.index(3, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "nothing on this side"


def test_the_model_page_has_a_compare_tab(qtbot: QtBot, registry: Registry) -> None:
    page = ModelPage(build_services(registry.database, ServiceOptions(keyring=MemoryKeyring())))
    qtbot.addWidget(page)
    page.resize(1440, 900)
    page.show()
    page.show_model(MODEL)
    assert page.tabs.tabText(5) == "Compare"
    assert page.compare_tab.model_name is None  # read only when looked at
    with qtbot.waitSignal(page.compare_tab.comparison_shown, timeout=10_000):
        page.show_tab(5)
    assert page.compare_tab.model_name == MODEL
    assert page.compare_tab.new_combo.currentData() == "1.2"
    page.clear()
    assert page.compare_tab.stack.currentWidget() is page.compare_tab.placeholder


def test_going_to_a_change_far_right_scrolls_it_into_view(qtbot: QtBot) -> None:
    prefix = "word " * 200
    view = SideBySideDiff()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_diff(diff_lines(["same", prefix + "old ending"], ["same", prefix + "new ending"]))
    assert view.next_change()
    scrolled = view.left.horizontalScrollBar().value()
    assert scrolled > 0
    assert view.right.horizontalScrollBar().value() == scrolled
    changed_x = view.left.line_delegate.column_x(prefix + "old ending", len(prefix)) - scrolled
    assert 0 < changed_x < view.left.viewport().width()
