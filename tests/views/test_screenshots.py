"""The screenshot script renders every main screen, each a real picture (smoke test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests import screenshots

# The offscreen platform cannot pass size hints or raise windows; that is not a problem.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]

MODEL_TABS = ("card", "versions", "source", "attachments", "history")
"""The model-page tabs every build has (later tabs such as Compare come on top)."""


def _colours(image: QImage) -> set[str]:
    # A grid of samples: a blank or single-colour picture gives one or two.
    return {
        image.pixelColor(image.width() * x // 24, image.height() * y // 24).name()
        for x in range(24)
        for y in range(24)
    }


def test_every_screen_is_rendered(qapp: QApplication, tmp_path: Path) -> None:
    out = tmp_path / "screens"
    assert screenshots.main([str(out)]) == 0
    names = {path.stem for path in out.glob("*.png")}
    expected = {*screenshots.FIXED_SCREENS, *(f"model-{tab}" for tab in MODEL_TABS)}
    assert expected <= names
    assert all(name in expected or name.startswith("model-") for name in names)
    for name in sorted(names):
        image = QImage(str(out / f"{name}.png"))
        assert not image.isNull(), name
        if name in ("browser", "search") or name.startswith("model-"):
            ratio = image.devicePixelRatio()
            size = (round(image.width() / ratio), round(image.height() / ratio))
            assert size == screenshots.WINDOW_SIZE, name
        assert len(_colours(image)) >= 4, f"{name}.png looks blank"


def test_wrong_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert screenshots.main(["--theme", "purple", "out"]) == 2
    assert screenshots.main(["--theme", "dark"]) == 2
    assert screenshots.main([]) == 2
    assert (
        "usage: python tests/screenshots.py [--theme system|light|dark] OUTDIR"
        in capsys.readouterr().err
    )
