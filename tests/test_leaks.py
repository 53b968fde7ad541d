"""The leak checks of tests/helpers/leaks.py catch what a test leaves running, and name it."""

from __future__ import annotations

import pytest

from tests.conftest import REPO

LEAKY = """
import threading
import time

from PySide6.QtCore import QRunnable, QThread, QThreadPool, QTimer


def test_thread():
    threading.Thread(target=time.sleep, args=(30,), name="sleeper", daemon=True).start()


class Sleeper(QRunnable):
    def run(self):
        time.sleep(4)


def test_pool(qapp):
    QThreadPool.globalInstance().start(Sleeper())


def test_timer(qapp):
    timer = QTimer()
    timer.start(60_000)
    test_timer.keep = timer


def test_single_shot(qapp):
    QTimer.singleShot(60_000, lambda: None)


class Busy(QThread):
    def run(self):
        self.msleep(4000)


def test_qthread(qapp):
    thread = Busy()
    thread.start()
    test_qthread.keep = thread


def test_tidy(qtbot):
    thread = threading.Thread(target=time.sleep, args=(0.01,))
    thread.start()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.start(10)
    QTimer.singleShot(10, lambda: None)
    qtbot.wait(50)
    thread.join()
"""


@pytest.mark.slow
def test_what_a_test_leaves_running_fails_it_saying_where_it_started(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    pytester.makepyfile(test_leaky=LEAKY)
    result = pytester.runpytest_subprocess("-p", "tests.helpers.leaks", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=5)
    for line in (
        "*the test left Python threads running: sleeper (started at *test_leaky.py:*(test_thread))*",
        "*a QThreadPool still has work, given at *test_leaky.py:*(test_pool)*",
        "*a QTimer started at *test_leaky.py:*(test_timer) is still waiting to fire*",
        "*a QTimer started at *test_leaky.py:*(test_single_shot) is still waiting to fire*",
        "*a QThread started at *test_leaky.py:*(test_qthread) is still running*",
    ):
        result.stdout.fnmatch_lines([line])
