"""The Review tab as its tests show it: over each module's own ``bench`` registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from countersign.views.review.tab import ReviewTab
from tests.helpers.signoff import Workbench
from tests.views.conftest import wait_for_background


@pytest.fixture
def tab_size() -> tuple[int, int]:
    """The tab's size on screen; a module overrides it to show more."""
    return 1100, 800


@pytest.fixture
def tab(qtbot: QtBot, bench: Workbench, tab_size: tuple[int, int]) -> Iterator[ReviewTab]:
    """A Review tab on ``bench``'s services, shown at ``tab_size``."""
    widget = ReviewTab(bench.services)
    qtbot.addWidget(widget)
    widget.resize(*tab_size)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    wait_for_background()
