"""Laying the report out as a PDF with reportlab: pages, header, footer, page numbers.

Every page but the cover carries a header naming the model, version and
status; every page carries a footer with the card's SHA-256 and "page N of
M".  The footer's SHA-256 is drawn in ASCII so that ``countersign verify``
can read it back from the page content and compare it with the attached card.

This module imports reportlab at its top: only the report functions import
it, when a report is made.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.flowables import Flowable

from countersign import __version__
from countersign.models.vocabulary import StageStatus
from countersign.services.progress import Progress
from countersign.services.reports.attachments import Attachment
from countersign.services.reports.data import ReportData
from countersign.services.reports.pdf import sections as report_sections
from countersign.services.reports.pdf import story as report_story
from countersign.services.reports.pdf.flowables import SignaturePlace
from countersign.services.reports.pdf.fonts import (
    BOLD,
    MONO,
    REGULAR,
    Style,
    ensure_main_fonts,
    runs,
    width_function,
)
from countersign.services.reports.pdf.styles import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
)

FOOTER_LABEL = "Card SHA-256 "
"""Printed before the card's SHA-256 at the foot of every page."""


@dataclass(frozen=True)
class BuiltReport:
    """A laid-out, unsigned report: the PDF bytes, its page count, where the signature goes."""

    pdf: bytes
    pages: int
    signature_page: int
    signature_box: tuple[float, float, float, float]


def build_report(
    data: ReportData, attachments: list[Attachment], progress: Progress | None = None
) -> BuiltReport:
    """Lay out the report of ``data``; ``attachments`` are listed in the signatures section."""
    ensure_main_fonts()
    place = SignaturePlace()
    story: list[Flowable] = []
    story += report_story.cover(data)
    story += report_story.card_content(data)
    story += report_sections.changes(data)
    story += report_sections.checklist(data)
    story += report_sections.signatures(data, [(a.name, a.sha256) for a in attachments])
    story += report_sections.audit(data)
    story += report_sections.report_signature(data, place)
    output = io.BytesIO()
    document = BaseDocTemplate(
        output,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Review report: {data.model} {data.version}",
        author=data.exporter.name if data.exporter else "Countersign",
        subject=f"{data.model} {data.version} ({data.status}); card SHA-256 {data.sha256}",
        creator=f"Countersign {__version__}",
        keywords=["model card", "review", data.model, data.version, data.status],
        pageCompression=1,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    if progress is not None:
        document.setProgressCallBack(_page_progress(progress))
    # Plain Flate streams: ASCII85 on top only makes the file bigger and slower.  Set for
    # the process, not swapped back, so that two reports made at once agree.
    rl_config.useA85 = 0
    document.build(story, canvasmaker=_numbered_canvas(data))
    return BuiltReport(
        pdf=output.getvalue(),
        pages=document.page,
        signature_page=place.page,
        signature_box=place.box,
    )


def build_stamp(data: ReportData, width: float, height: float) -> bytes:
    """A one-page PDF the size of the signature box: who signs, when, with which certificate.

    pyHanko places it as the signature's visible appearance, so that the
    signer's name shows in any script, in the report's embedded fonts.
    """
    ensure_main_fonts()
    exporter = data.exporter
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=(width, height), initialFontName=REGULAR, pageCompression=1)
    canvas.setFillColorRGB(0.97, 0.98, 1.0)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setFillColorRGB(0.1, 0.1, 0.12)
    lines: list[tuple[Style, float, str]] = [
        ("bold", 8.5, "Digitally signed (PAdES B-B, ECDSA P-256)"),
        (
            "regular",
            8.0,
            f"{exporter.name} <{exporter.email}>, {exporter.role}" if exporter else "",
        ),
        ("regular", 7.5, f"Report exported {data.exported_at.replace('T', ' ').rstrip('Z')} UTC"),
        ("mono", 6.5, "Certificate SHA-256"),
        ("mono", 6.5, exporter.fingerprint[:32] if exporter else ""),
        ("mono", 6.5, exporter.fingerprint[32:] if exporter else ""),
    ]
    y = height - 13.0
    for style, size, line in lines:
        _draw_runs(canvas, (7.0, y), line, size, style)
        y -= size + 3.2
    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _page_progress(progress: Progress) -> Callable[[str, Any], None]:
    def callback(kind: str, value: Any) -> None:
        if kind == "PAGE":
            progress(int(value), 0, f"Laying out page {value}")

    return callback


def _numbered_canvas(data: ReportData) -> type[Canvas]:
    """A canvas that keeps every page until the end, then draws "page N of M" on each."""
    header = f"Review report · {data.model} · version {data.version}"
    expired = [s.stage for s in data.stages if s.status == StageStatus.EXPIRED]
    status = (
        f"Status: approval EXPIRED for {', '.join(expired)}"
        if expired
        else f"Status: {data.status}"
    )
    footer = f"{FOOTER_LABEL}{data.sha256}"

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = REGULAR  # no unused Helvetica in the file
            super().__init__(*args, **kwargs)
            self._kept_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802  (reportlab's name)
            self._kept_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._kept_pages)
            for state in self._kept_pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            number = self.getPageNumber()
            self.saveState()
            self.setFillColorRGB(*MUTED)
            self.setStrokeColorRGB(0.8, 0.81, 0.84)
            self.setLineWidth(0.5)
            if number > 1:
                _draw_runs(self, (MARGIN_LEFT, PAGE_HEIGHT - 34), header, 7.5)
                self.setFont(BOLD, 7.5)
                self.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, PAGE_HEIGHT - 34, status)
                self.line(
                    MARGIN_LEFT, PAGE_HEIGHT - 39, PAGE_WIDTH - MARGIN_RIGHT, PAGE_HEIGHT - 39
                )
            self.line(MARGIN_LEFT, 40, PAGE_WIDTH - MARGIN_RIGHT, 40)
            self.setFont(MONO, 7)
            self.drawString(MARGIN_LEFT, 30, footer)
            self.setFont(REGULAR, 7.5)
            self.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, 30, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def _draw_runs(
    canvas: Canvas, at: tuple[float, float], text: str, size: float, style: Style = "regular"
) -> None:
    """Draw one line of text from ``at`` (x, y), each run in a font that has its characters."""
    x, y = at
    width = width_function(size)
    for run in runs(text, style):
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, run.text)
        x += width(run.font, run.text)
