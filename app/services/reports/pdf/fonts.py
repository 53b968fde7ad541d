"""The report's fonts: TrueType files shipped in ``resources/fonts``, embedded in every PDF.

DejaVu Sans (regular, bold) and DejaVu Sans Mono carry Latin, Greek, Cyrillic
and most symbols; Droid Sans Fallback carries Chinese, Japanese and Korean.
Text is cut into runs, each in the first font of its style that has every
character of the run, so a card written in several scripts shows whole.  A
character no font has is drawn in the main font (as its "missing" box): it is
never dropped.

reportlab is imported inside the functions that need it, so that importing
this module (at start-up) costs nothing.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Style = Literal["regular", "bold", "mono"]
"""How a piece of text is set: body text, emphasis and headings, or code and hashes."""

REGULAR = "Countersign-Sans"
BOLD = "Countersign-Sans-Bold"
MONO = "Countersign-Mono"
CJK = "Countersign-CJK"

FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    CJK: "DroidSansFallbackFull.ttf",
}
"""The registered name of each font and its file in ``resources/fonts``."""

FALLBACK: dict[Style, tuple[str, ...]] = {
    "regular": (REGULAR, CJK),
    "bold": (BOLD, CJK),
    "mono": (MONO, REGULAR, CJK),
}
"""For each style, the fonts tried in order for a character."""

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}
_choice: dict[tuple[Style, str], str] = {}
_widths: dict[tuple[str, str], float] = {}
_WIDTH_CACHE = 200_000


@dataclass(frozen=True)
class Run:
    """A stretch of text set in one font."""

    font: str
    text: str


def font_path(name: str) -> Any:
    """The shipped file of the registered font ``name`` (a Traversable)."""
    return importlib.resources.files("countersign.resources") / "fonts" / FONT_FILES[name]


def ensure_font(name: str) -> None:
    """Register font ``name`` with reportlab once per process (the CJK one only when needed)."""
    if name in _coverage:
        return
    with _lock:
        if name in _coverage:
            return
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        with importlib.resources.as_file(font_path(name)) as path:
            font = TTFont(name, str(path))
        pdfmetrics.registerFont(font)
        _coverage[name] = frozenset(font.face.charToGlyph)


def ensure_main_fonts() -> None:
    """Register the regular, bold and mono fonts (every report uses them)."""
    for name in (REGULAR, BOLD, MONO):
        ensure_font(name)


def covers(name: str, char: str) -> bool:
    """Whether font ``name`` has a glyph for ``char`` (registering it first)."""
    ensure_font(name)
    return ord(char) in _coverage[name]


def font_for(char: str, style: Style) -> str:
    """The first font of ``style``'s fallback list with a glyph for ``char``."""
    key = (style, char)
    chosen = _choice.get(key)
    if chosen is None:
        fonts = FALLBACK[style]
        chosen = next((name for name in fonts if covers(name, char)), fonts[0])
        _choice[key] = chosen
    return chosen


def runs(text: str, style: Style) -> list[Run]:
    """``text`` cut into runs of one font each, following ``style``'s fallback list."""
    primary = FALLBACK[style][0]
    if text.isascii():
        return [Run(primary, text)] if text else []
    out: list[Run] = []
    current = primary
    start = 0
    for index, char in enumerate(text):
        # Spaces stay in the run they are in: every font has one.
        font = current if char == " " else font_for(char, style)
        if font != current:
            if index > start:
                out.append(Run(current, text[start:index]))
            current, start = font, index
    if len(text) > start:
        out.append(Run(current, text[start:]))
    return out


def width_function(size: float) -> Callable[[str, str], float]:
    """A function giving the width in points of text in a font at ``size``, cached by word."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    ensure_main_fonts()

    def width(font: str, text: str) -> float:
        key = (font, text)
        found = _widths.get(key)
        if found is None:
            if len(_widths) > _WIDTH_CACHE:
                _widths.clear()
            found = _widths[key] = float(stringWidth(text, font, 1000.0))
        return found * size / 1000.0

    return width
