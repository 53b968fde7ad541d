"""Cards and registries for report tests: markup and CJK text, two versions, signed reviews."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from countersign.models.card import ModelCard
from countersign.services.reports.reports import Reports, ReportSigner
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

ANA = "ana@example.org"
"""An approver who signs the reviews."""

OLGA = "olga@example.org"
"""The officer who exports and signs the reports."""

MARKUP = "<b>not bold</b> & <para>no paragraph</para> <script>alert('x')</script> &amp; &lt;"
"""Text that reportlab's paragraph markup would act on if it were not escaped."""

JAPANESE = "日本語のモデルカードです。審査官が確認しました。"
CHINESE = "中文说明：该模型用于信用评分。"


def pdf_words(path: Path) -> str:
    """The words of a PDF as pdftotext reads them, on one line, one space between."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler's pdftotext is not installed (scripts/setup.sh test installs it)")
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def markup_card(version: str = "1.0", **extra: Any) -> ModelCard:
    """A medium-risk card full of markup-like text, Japanese and Chinese."""
    data: dict[str, Any] = {
        "model_details": {
            "name": "credit-scorer",
            "version": version,
            "summary": f"Summary with {MARKUP}",
            "description": f"{JAPANESE}\n\n{CHINESE}\n\nMixed: モデル v2 <i>x</i> & 模型.",
        },
        "intended_use": {
            "text": "Ranking retail loan applications for manual review.",
            "out_of_scope": ["<script>document.write('x')</script>", "Automated rejection."],
        },
        "quantitative_analyses": {
            "results": [
                {"name": "auc <b>", "value": "0.87", "numeric": 0.87, "dataset": "holdout & co"},
                {"name": "精度", "value": "0.91", "numeric": 0.91, "dataset": "日本語データ"},
            ]
        },
        "caveats_and_recommendations": {"limitations": [f"Limitation {MARKUP}"]},
        "extra_sections": [
            {
                "title": "Notes <para>",
                "text": "| Column <b> | 列 |\n|---|---|\n| a & b | 値 |\n\n```\ncode <b>x</b>\n```",
                "source": "README.md#notes",
            }
        ],
        "license": "proprietary",
        "owners": [{"name": "Risk Analytics", "contact": "risk-analytics@example.com"}],
    }
    data.update(extra)
    return medium_card(version=version, **data)


@dataclass
class ReportBench:
    """A workbench with a reports service, an approver and an officer."""

    bench: Workbench
    reports: Reports

    def export(self, path: Path, version: str = "1.0", model: str = "credit-scorer") -> Path:
        """Export the signed report of ``model`` at ``version`` to ``path`` as the officer."""
        self.reports.export(model, version, ReportSigner(OLGA, PASSPHRASE), path)
        return path


@contextmanager
def report_bench(
    folder: Path, card: ModelCard | None = None, approve: bool = True, db: str | None = None
) -> Iterator[ReportBench]:
    """A registry with ``card`` (the markup card by default), approved by Ana unless told not to.

    ``db`` is where the registry is (SQLite in ``folder`` when not given).
    """
    with workbench(folder, db) as bench:
        bench.import_card(card or markup_card())
        bench.person(ANA, "approver", "Ana Approver")
        bench.person(OLGA, "officer", "Olga Officer")
        if approve:
            bench.sign(ANA)
        yield ReportBench(bench, bench.services.reports)
