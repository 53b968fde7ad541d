"""The workstation window on a large registry, against the raw limits measured in the same run.

    python -m benchmarks.window [--quick | --models N --versions M] [--repeat N]
                                [--json FILE] [--cache DIR]

Builds (once, then cached: see :mod:`benchmarks.scale_registry`) a registry of
10,000 models and 100,000 card versions (``--quick``: 1,000 and 5,000), then
measures, each figure a median of repeated runs:

- cold start: from process start to the first paint of the window the officer
  sees, in a fresh process (offscreen), against a bare Qt window with an empty
  table.  That window is the start-up window (:mod:`countersign.views.startup_window`):
  the application's real top-level window at that moment, titled and placed as
  the workstation, naming the registry being opened; it is painted before
  SQLAlchemy, pydantic and the screens are imported.  For both windows the
  clock stops as the window's first paint pass ends (widgets drawn and flushed).
  Then, from process start to the first paint of the home screen's lists (the
  main window opens on the home screen; its lists are read off the GUI thread
  once it shows), against the same bare window.  Also: from process start to
  the first paint of the models table's rows, the benchmark opening View ▸
  Models list as soon as the home screen's lists are painted (as an officer
  going to the registry would; issue 19's goal: within 1.0 s and 3x the bare
  window);
- full-text search, ranked top 20, for 3-letter and for longer prefixes,
  against the same FTS5 query run with plain sqlite3;
- the models table (the item model the browser shows): its first screen, and a
  jump to a screen 90% of the way down (row 9,000 of 10,000; row 90,000 when
  there are that many), against a raw sqlite3 query for the same page;
- the home screen's lists (the desk service): every list read as the window reads
  it, and a page 90% of the way down the longest, against the raw counts and pages
  run with plain sqlite3;
- peak memory (RSS) of the window process once it has painted, counted the
  registry, shown a model and searched, against the bare window.

Prints a table (figure, median, min-max, limit measured, ratio, goal, met or
not); ``--json FILE`` writes the same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure, print_table

FULL = (10_000, 100_000)
"""Models and card versions of the full benchmark registry."""

QUICK = (1_000, 5_000)
"""The same for ``--quick``."""

SHORT_PREFIXES = ("cal", "gov", "mon", "dri", "sen", "thr")
"""Three-letter searches: each matches a large share of the cards."""

LONG_PREFIXES = ("calibr", "governance", "monitoring drift", "sensitive subgroup", "provenan")
"""Longer searches, some of two words (every word a prefix)."""

SCREEN_ROWS = 40
"""Rows of the models table a 900-pixel window shows at once."""

WINDOW_TABLE = "Models"
"""Accessible name of the main window's table whose rows' first paint is also timed."""

HOME_TABLES = "Home: "
"""How the accessible names of the home screen's tables begin (their first paint is timed)."""

_PAINTED: dict[str, float] = {}
"""In a child process: the wall time of each first paint watched ("window", "rows")."""


# -- in the child processes: the window, and the bare window --------------------------------


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    # VmHWM, not getrusage: on Linux ru_maxrss carries the parent's peak across fork and exec.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


_Watched = Mapping[str, tuple[Callable[[Any], bool], Callable[[], object]]]
"""First paints to note: key -> (which widget's paint counts, what to do once it is over)."""


def _watch_first_paints(
    qt_app: Any, watched: _Watched, by_widget: frozenset[str] = frozenset()
) -> Any:
    """For each ``key: (painted, then)``, note in ``_PAINTED[key]`` when the first paint of a
    widget ``painted`` accepts is over, drawn and flushed to the screen, then call ``then``.

    Keys in ``by_widget`` are timed as the widget's own paint ends instead: a repaint
    after a window's first paint comes in no window pass this filter sees (its flush,
    a few milliseconds, is left out).
    """
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtGui import QWindow

    passes = (QEvent.Type.Expose, QEvent.Type.UpdateRequest)

    class FirstPaints(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []
            self.sending = False

        def eventFilter(self, target: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint:
                return self._paint(target, event)
            if not (isinstance(target, QWindow) and event.type() in passes):
                return False
            # A window paints its widgets and flushes them while it handles this event:
            # delivered here, the time is taken once that is over (and nothing after it
            # on the GUI thread, such as importing the screens, can delay the note).
            self.seen.clear()
            handled = target.event(event)
            self._note(list(self.seen))
            event.setAccepted(handled)
            return True

        def _paint(self, target: QObject, event: QEvent) -> bool:
            if self.sending:
                return False
            keys = _first_painted(watched, self.seen, target)
            self.seen.extend(key for key in keys if key not in by_widget)
            mine = [key for key in keys if key in by_widget]
            if not mine:
                return False
            # Delivered now, through the widget's own filters (a viewport's scroll area).
            self.sending = True
            try:
                handled = QCoreApplication.sendEvent(target, event)
            finally:
                self.sending = False
            self._note(mine)
            event.setAccepted(handled)
            return True

        def _note(self, keys: list[str]) -> None:
            _noted(watched, keys)
            if all(key in _PAINTED for key in watched):
                qt_app.removeEventFilter(self)

    watcher = FirstPaints()
    qt_app.installEventFilter(watcher)
    return watcher


def _first_painted(watched: _Watched, seen: list[str], target: Any) -> list[str]:
    """The keys not yet painted whose widget ``target`` is."""
    return [
        key
        for key, (painted, _then) in watched.items()
        if key not in _PAINTED and key not in seen and painted(target)
    ]


def _noted(watched: _Watched, keys: list[str]) -> None:
    """Note the time for ``keys``, then do what each asked to be done once painted."""
    now = time.time()
    for key in keys:
        _PAINTED[key] = now
    for key in keys:
        watched[key][1]()


def _any_window(widget: Any) -> bool:
    """Any widget: the first one painted is in the first window painted."""
    from PySide6.QtWidgets import QWidget

    return isinstance(widget, QWidget)


def _models_rows(widget: Any) -> bool:
    """The viewport of the main window's models table: its rows."""
    from PySide6.QtWidgets import QTableView

    table = widget.parent()
    return isinstance(table, QTableView) and table.accessibleName() == WINDOW_TABLE


def _home_rows(widget: Any) -> bool:
    """The viewport of one of the home screen's tables, once it holds rows."""
    from PySide6.QtWidgets import QTableView

    table = widget.parent()
    return (
        isinstance(table, QTableView)
        and table.accessibleName().startswith(HOME_TABLES)
        and table.model().rowCount() > 0
    )


def _open_models_list(qt_app: Any) -> None:
    """Once the home screen's lists are painted: View ▸ Models list, as the officer would.

    Lists first painted in the start-up window (a first look at a SQLite registry)
    get the key, Ctrl+0, which that window answers at once with the first look's
    models page (the rows timed), and holds until the main window takes its place
    and carries it out; lists painted in the main window get the command.
    """
    from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    def press() -> None:
        shown = [w for w in qt_app.topLevelWidgets() if w.isVisible()]
        # Looked up, not imported: importing the main window here would move its cost.
        module = sys.modules.get("countersign.views.main_window")
        shell = next((w for w in shown if type(w).__name__ == "StartupWindow"), None)
        window = next((w for w in shown if module and isinstance(w, module.MainWindow)), None)
        if shell is not None:
            control = Qt.KeyboardModifier.ControlModifier
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, Qt.Key.Key_0, control, "0")
                QCoreApplication.sendEvent(shell.focusWidget() or shell, event)
        elif window is not None:
            window.commands["show_models"].trigger()
        else:
            QTimer.singleShot(1, press)

    QTimer.singleShot(0, press)


def _child_window(db: str) -> dict[str, Any]:
    """Start the workstation as ``countersign --db DB`` does; note its first paints and memory."""
    import countersign.views.application as startup

    report: dict[str, Any] = {}
    keep: list[Any] = []
    original = startup.application

    def application_watched(*args: Any) -> Any:
        qt_app = original(*args)
        if not keep:
            watched: _Watched = {
                "window": (_any_window, lambda: None),
                "home": (_home_rows, partial(_open_models_list, qt_app)),
                "rows": (_models_rows, partial(_use_window, qt_app, report)),
            }
            # Both come after the main window's first paint: timed as the tables' paints end.
            keep.append(_watch_first_paints(qt_app, watched, frozenset({"home", "rows"})))
        return qt_app

    setattr(startup, "application", application_watched)  # noqa: B010 (the watched one, for this run)
    from countersign.cli import main

    report["status"] = main(["--db", db])
    report["paint"] = _PAINTED.get("window")
    report["home"] = _PAINTED.get("home")
    report["rows"] = _PAINTED.get("rows")
    return report


def _use_window(qt_app: Any, report: dict[str, Any]) -> None:
    """Once the rows are painted: let the counts finish, show a model, search; note memory.

    Rows first painted by the start-up window (a first look) are followed by the
    main window, once it has taken that window's place.
    """
    from PySide6.QtCore import QTimer

    def main_window() -> Any:
        # Looked up, not imported: the rows may be painted while the screens are imported.
        module = sys.modules.get("countersign.views.main_window")
        shown = [w for w in qt_app.topLevelWidgets() if w.isVisible()]
        if any(type(w).__name__ == "StartupWindow" for w in shown):
            return None  # not yet in its place (the held keys not yet carried out)
        return next((w for w in shown if module and isinstance(w, module.MainWindow)), None)

    def wait() -> None:
        found = main_window()
        if found is None:
            QTimer.singleShot(20, wait)
        else:
            _use_open_window(qt_app, report, found)

    QTimer.singleShot(0, wait)


def _use_open_window(qt_app: Any, report: dict[str, Any], window: Any) -> None:
    """Let the counts of ``window`` finish, show a model, search; note memory."""
    from PySide6.QtCore import QTimer

    def open_model() -> None:
        if window.counting:
            QTimer.singleShot(20, open_model)
            return
        report["counts"] = window.counts_label.text()
        window.browser.table.selectRow(0)
        window.model_page.show_model(str(window.browser.current_name()))
        window.browser.search(SHORT_PREFIXES[0])
        finish()

    def finish() -> None:
        if window.browser.search_pending:
            QTimer.singleShot(20, finish)
            return
        report["rss_mb"] = _peak_rss_mb()
        window.close()
        qt_app.quit()

    QTimer.singleShot(0, open_model)


def _child_bare() -> dict[str, Any]:
    """A bare Qt window with an empty table: the floor for the cold start and memory."""
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    qt_app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QTableView(window))
    window.resize(1440, 900)
    watcher = _watch_first_paints(qt_app, {"window": (_any_window, qt_app.quit)})
    window.show()
    qt_app.exec()
    del watcher
    return {"status": 0, "paint": _PAINTED.get("window"), "rss_mb": _peak_rss_mb()}


def _child_main(kind: str, db: str) -> None:
    report = _child_window(db) if kind == "window" else _child_bare()
    print("BENCH " + json.dumps(report), flush=True)
    # Straight out: the figures are taken; nothing left to tidy is worth timing or risking.
    os._exit(0)


# -- in the parent: running the children ------------------------------------------------


def _run_child(kind: str, db: Path, settings: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # The window remembers geometry in QSettings: keep the officer's own settings out of it.
    env["XDG_CONFIG_HOME"] = str(settings)
    env["HOME"] = str(settings)
    command = [sys.executable, "-m", "benchmarks.window", "--child", kind, "--db", str(db)]
    started = time.time()
    result = subprocess.run(
        command,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise RuntimeError(f"the {kind} process reported nothing:\n{result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(lines[-1][len("BENCH ") :])
    if report.get("status") != 0 or not report.get("paint"):
        raise RuntimeError(f"the {kind} process failed: {report}\n{result.stderr[-2000:]}")
    report["cold_start"] = report["paint"] - started
    if report.get("home"):
        report["home_shown"] = report["home"] - started
    if report.get("rows"):
        report["rows_shown"] = report["rows"] - started
    return report


def measure_start(db: Path, repeat: int) -> list[Figure]:
    """Cold start and peak memory of the window, against the bare window, alternating runs."""
    window_runs: list[dict[str, Any]] = []
    bare_runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="countersign-bench-settings-") as settings:
        # One of each first, not timed: the registry and Python's files into the OS cache.
        _run_child("bare", db, Path(settings))
        _run_child("window", db, Path(settings))
        for _ in range(repeat):
            bare_runs.append(_run_child("bare", db, Path(settings)))
            window_runs.append(_run_child("window", db, Path(settings)))
    return [
        Figure(
            "cold start to first painted window",
            "s",
            [run["cold_start"] for run in window_runs],
            "bare Qt window, empty table",
            [run["cold_start"] for run in bare_runs],
            "<= 1.5x and <= 1.0 s",
            goal_ratio=1.5,
            goal_absolute=1.0,
        ),
        Figure(
            "cold start to the home screen's lists painted",
            "s",
            [run["home_shown"] for run in window_runs],
            "bare Qt window, empty table",
            [run["cold_start"] for run in bare_runs],
            "<= 3x and <= 1.0 s",
            goal_ratio=3.0,
            goal_absolute=1.0,
        ),
        Figure(
            "cold start to the registry's rows painted",
            "s",
            [run["rows_shown"] for run in window_runs],
            "bare Qt window, empty table",
            [run["cold_start"] for run in bare_runs],
            "<= 3x and <= 1.0 s",
            goal_ratio=3.0,
            goal_absolute=1.0,
        ),
        Figure(
            "peak memory, window with registry open",
            "MB",
            [run["rss_mb"] for run in window_runs],
            "bare Qt window, empty table",
            [run["rss_mb"] for run in bare_runs],
            "< 250 MB",
            goal_below=250.0,
        ),
    ]


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return runs


def _raw_search(raw: sqlite3.Connection, query: str, ranked_at_most: int) -> list[Any]:
    """The registry's two FTS5 statements, run with plain sqlite3 (the raw limit)."""
    from countersign.services.storage.dialect import SQLITE_FLOOR, sqlite_ranked

    found = raw.execute(SQLITE_FLOOR, {"q": query, "skip": ranked_at_most - 1}).fetchone()
    floor = found[0] if found else 0
    return raw.execute(sqlite_ranked(floor), {"q": query, "floor": floor, "n": 20}).fetchall()


def measure_search(db: Path, repeat: int) -> list[Figure]:
    """Ranked top 20 through the registry, against the same FTS5 statements in plain sqlite3."""
    from countersign.services.storage.dialect import RANKED_AT_MOST, fts_query
    from countersign.services.workstation import open_services

    services = open_services(str(db))
    registry = services.registry
    raw = sqlite3.connect(db)
    figures = []
    for label, words in (("3-letter prefix", SHORT_PREFIXES), ("longer prefixes", LONG_PREFIXES)):
        ours: list[float] = []
        limit: list[float] = []
        for text in words:
            hits = registry.search(text, limit=20)  # warm: pages into the cache
            if not hits:
                raise RuntimeError(f"the benchmark registry has no card matching {text!r}")
            query = fts_query(text)
            limit += _timed(partial(_raw_search, raw, query, RANKED_AT_MOST), repeat)
            ours += _timed(partial(registry.search, text, limit=20), repeat)
        figures.append(
            Figure(
                f"search, ranked top 20, {label}",
                "s",
                ours,
                "same FTS5 statements, plain sqlite3",
                limit,
                "<= 100 ms",
                goal_absolute=0.100,
            )
        )
    raw.close()
    services.close()
    return figures


def measure_table(db: Path, repeat: int) -> list[Figure]:
    """The browser's item model: first screen, and a jump 90% of the way down."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from countersign.services.workstation import open_services
    from countersign.views.registry.table import PAGE_SIZE, ModelsTableModel

    # Status icons need a GUI application; a widgets one, so as not to clash with tests' own.
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    services = open_services(str(db))
    registry = services.registry
    rows = registry.count_models()
    target = 90_000 if rows > 90_000 else rows * 9 // 10
    raw = sqlite3.connect(db)
    columns = "id, name, team, risk_tier, latest_version, status, version_count, last_activity"

    def screen(model: ModelsTableModel, first: int) -> None:
        for row in range(first, min(first + SCREEN_ROWS, model.rowCount())):
            for column in range(model.columnCount()):
                model.index(row, column).data()

    def first_screen() -> None:
        screen(ModelsTableModel(registry), 0)

    models: list[ModelsTableModel] = []

    def fresh_model() -> None:
        model = ModelsTableModel(registry)
        screen(model, 0)
        models.append(model)

    def jump() -> None:
        screen(models.pop(), target)

    def raw_page(offset: int) -> Callable[[], object]:
        sql = f"SELECT {columns} FROM models ORDER BY name, id LIMIT ? OFFSET ?"
        return lambda: raw.execute(sql, (PAGE_SIZE, offset)).fetchall()

    first_screen()  # warm
    first_runs = _timed(first_screen, repeat * 4)
    raw_first = _timed(raw_page(0), repeat * 4)
    jump_runs = []
    for _ in range(repeat * 4):
        fresh_model()
        jump_runs += _timed(jump, 1)
    raw_jump = _timed(raw_page(target // PAGE_SIZE * PAGE_SIZE), repeat * 4)
    raw.close()
    services.close()
    del qt_app
    return [
        Figure(
            "models table, first screen",
            "s",
            first_runs,
            "raw sqlite3 page",
            raw_first,
            "<= 10 ms",
            goal_absolute=0.010,
        ),
        Figure(
            f"models table, jump to row {target:,}",
            "s",
            jump_runs,
            "raw sqlite3 page at that offset",
            raw_jump,
            "<= 10 ms",
            goal_absolute=0.010,
        ),
    ]


def measure_desk(db: Path, repeat: int) -> list[Figure]:
    """The home screen's lists in one read, and a page deep in the longest, against raw sqlite3."""
    from countersign.models.vocabulary import DeskList
    from countersign.services.workstation import open_services

    services = open_services(str(db))
    desk = services.desk
    officer = desk.officer()
    longest = desk.desk(officer=officer).to_review.total  # warm
    deep = longest * 9 // 10
    raw = sqlite3.connect(db)

    def raw_lists() -> None:
        # The statements every list needs at least: a count and a page of ids by an index.
        for status in ("submitted", "changes requested"):
            raw.execute("SELECT count(*) FROM card_versions WHERE status = ?", (status,)).fetchone()
            raw.execute(
                "SELECT id FROM card_versions WHERE status = ? ORDER BY id LIMIT 50", (status,)
            ).fetchall()

    def raw_deep() -> None:
        raw.execute(
            "SELECT id FROM card_versions WHERE status = 'submitted' ORDER BY id LIMIT 100 OFFSET ?",
            (deep,),
        ).fetchall()

    lists = _timed(partial(desk.desk, officer=officer), repeat * 4)
    raw_lists_runs = _timed(raw_lists, repeat * 4)
    page = _timed(partial(desk.page, DeskList.TO_REVIEW, officer, deep, 100), repeat * 4)
    raw_page_runs = _timed(raw_deep, repeat * 4)
    raw.close()
    services.close()
    return [
        Figure(
            "home screen's lists, one read",
            "s",
            lists,
            "raw sqlite3 counts and pages",
            raw_lists_runs,
            "<= 100 ms",
            goal_absolute=0.100,
        ),
        Figure(
            f"home list page at row {deep:,} of {longest:,}",
            "s",
            page,
            "raw sqlite3 page at that offset",
            raw_page_runs,
            "<= 10 ms",
            goal_absolute=0.010,
        ),
    ]


# -- report -----------------------------------------------------------------------------------


def run(
    sizes: tuple[int, int], repeat: int, json_path: Path | None, cache: Path | None = None
) -> list[Figure]:
    """Build or reuse the registry of ``sizes`` (models, card versions), measure, print, save."""
    from benchmarks.scale_registry import cached_registry

    models, versions = sizes
    db = cached_registry(models, versions, root=cache)
    figures = [
        *measure_start(db, repeat),
        *measure_search(db, repeat),
        *measure_table(db, repeat),
        *measure_desk(db, repeat),
    ]
    heading = (
        f"Countersign window on {models:,} models / {versions:,} card versions "
        f"({db.stat().st_size / 1024 / 1024:.0f} MB registry), median of {repeat} or more runs"
    )
    print_table(figures, heading)
    if json_path is not None:
        json_path.write_text(
            json.dumps(
                {
                    "models": models,
                    "card_versions": versions,
                    "registry": str(db),
                    "figures": [f.as_json() for f in figures],
                },
                indent=2,
            )
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.window",
        description="Measure the workstation window on a large registry against raw limits.",
    )
    parser.add_argument("--quick", action="store_true", help="1,000 models / 5,000 versions")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--cache", type=Path, help="where built registries are kept")
    parser.add_argument(
        "--models", type=int, help="models in the registry (with --versions; overrides --quick)"
    )
    parser.add_argument("--versions", type=int, help="card versions: a multiple of --models")
    parser.add_argument("--child", choices=("window", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_main(args.child, args.db or "")
        return 0
    sizes = QUICK if args.quick else FULL
    if args.models or args.versions:
        if not (args.models and args.versions) or args.versions % args.models:
            parser.error("--models and --versions go together, versions a multiple of models")
        sizes = (args.models, args.versions)
    run(sizes, max(args.repeat, 1), args.json, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
