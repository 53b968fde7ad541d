"""Building and signing review reports: a 50-page one and a 10-page one.

    python -m benchmarks.report [--repeat R]

Makes a registry with two versions of a long card (prose, lists, a metrics
table, Markdown tables, some Japanese), the first approved, the second sent
back with changes, and times the report of the second: read from the
registry, laid out, and signed (PAdES, with the card and sign-offs attached).
Prints the median of each phase, the pages, and the goals: 50 pages within
1 s, 10 pages within 0.2 s.  ``measure`` also times the offline deployment gate
(``countersign gate --evidence REPORT.pdf --trust CERT.pem``) on the signed
10-page report, against pyHanko's bare check of the same PDF signature (the raw
limit: no sign-offs, attachments or card read).

The time excludes what an export does once per run, not per page: importing
reportlab and pyHanko, registering the fonts and unlocking the officer's key
(PBKDF2 with 600,000 rounds, deliberately slow).  The first (cold) run, which
includes the imports and fonts, is printed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.cards import prose
from benchmarks.figures import Figure
from countersign.models.card import ModelCard
from countersign.models.vocabulary import AnswerValue
from countersign.services.identities.identities import SigningKey
from countersign.services.identities.memory_keyring import MemoryKeyring
from countersign.services.importing.importer import LooseCardInfo
from countersign.services.reports.attachments import report_attachments
from countersign.services.reports.data import Exporter, gather_report
from countersign.services.reviews.reviews import Answer, SignOffRequest
from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, open_services

PASSPHRASE = "benchmark passphrase"
GOALS = {50: 1.0, 10: 0.2}
"""Pages -> seconds to build and sign."""

GATE_GOAL = 0.5
"""Seconds for the offline deployment gate on the 10-page report: a pipeline waits on it."""

SIZES = {50: 16.1, 10: 0.3}
"""Pages -> how much card content (found by trying) makes a report that long."""


def long_card(version: str, scale: float, seed: int = 7) -> ModelCard:
    """A card whose report grows by about three and a half pages per unit of ``scale``."""
    rng = random.Random(seed)
    paragraphs = "\n\n".join(prose(rng, 90) for _ in range(max(1, round(3 * scale))))
    table = "| Slice | Recall | Precision | Notes |\n|---|---|---|---|\n" + "\n".join(
        f"| region-{i} | 0.{rng.randint(600, 999)} | 0.{rng.randint(600, 999)} | {prose(rng, 8)} |"
        for i in range(max(1, round(12 * scale)))
    )
    return ModelCard.model_validate(
        {
            "model_details": {
                "name": "bench:credit-scorer",
                "version": version,
                "summary": prose(rng, 60),
                "description": paragraphs + "\n\n日本語の説明: 与信審査のモデルです。",
                "developers": ["Risk Analytics"],
            },
            "intended_use": {
                "text": prose(rng, 150),
                "primary_uses": [prose(rng, 14) for _ in range(4)],
                "out_of_scope": [prose(rng, 20) for _ in range(3)],
            },
            "factors": {"text": prose(rng, 120), "relevant": ["age", "region", "income"]},
            "evaluation_data": {"text": prose(rng, 150)},
            "training_data": {"text": prose(rng, 150)},
            "quantitative_analyses": {
                "text": prose(rng, 80),
                "results": [
                    {
                        "name": rng.choice(["auc", "recall", "precision", "f1"]),
                        "value": f"0.{rng.randint(600, 999)}",
                        "numeric": None,
                        "dataset": "holdout-2026",
                        "split": "test",
                        "slice": f"slice-{i}",
                    }
                    for i in range(max(2, round(20 * scale)))
                ],
            },
            "ethical_considerations": {
                "text": prose(rng, 120),
                "risks": [{"name": prose(rng, 10), "mitigation": prose(rng, 16)}] * 3,
            },
            "caveats_and_recommendations": {
                "limitations": [prose(rng, 24) for _ in range(max(1, round(6 * scale)))],
            },
            "license": "proprietary",
            "owners": [{"name": "Risk Analytics", "contact": "risk@example.com"}],
            "risk_rating": "medium",
            "extra_sections": [{"title": "Slice results", "text": table, "source": "README.md"}],
        }
    )


def _edited(card: ModelCard) -> ModelCard:
    """Version 2: a few words, metrics and list items changed, as a team's revision would."""
    rng = random.Random(11)
    data = card.model_dump(mode="json")
    details = data["model_details"]
    paragraphs = details["description"].split("\n\n")
    for index in range(0, len(paragraphs), 4):
        words = paragraphs[index].split()
        words[rng.randrange(len(words))] = "revised"
        paragraphs[index] = " ".join(words)
    details["description"] = "\n\n".join(paragraphs)
    for result in data["quantitative_analyses"]["results"][::5]:
        result["value"] = f"0.{rng.randint(600, 999)}"
    data["caveats_and_recommendations"]["limitations"].append(prose(rng, 30))
    data["license"] = "apache-2.0"
    return ModelCard.model_validate(data)


def _registry(folder: Path, scale: float) -> tuple[Database, SigningKey]:
    """A registry with version 1 approved and version 2 sent back, and the officer's key."""
    # The officer's key in a keyring of the benchmark's own, with the workstation's rounds.
    services = open_services(
        str(folder / f"registry-{scale}.sqlite3"),
        ServiceOptions(keyring=MemoryKeyring(), actor="bench"),
    )
    identities, importer, reviews = services.identities, services.importer, services.reviews
    identities.create("Olga Officer", "olga@example.org", "officer", PASSPHRASE)
    officer = identities.unlock("olga@example.org", PASSPHRASE)
    identities.create("Ana Approver", "ana@example.org", "approver", PASSPHRASE, granted_by=officer)
    items = services.checklists.get("standard").template.items
    answers = {item.id: Answer(AnswerValue.PASS, "Checked against the card.") for item in items}
    for version, decision in (("1", "approve"), ("2", "changes")):
        path = folder / f"card-{scale}-{version}.json"
        card = long_card(version, scale) if version == "1" else _edited(long_card("2", scale))
        path.write_text(card.model_dump_json(), encoding="utf-8")
        report = importer.import_file(path, LooseCardInfo(team="Risk Analytics"))
        if not report.ok:
            raise SystemExit(f"benchmark card refused: {report.plan.reason()}")
        request = SignOffRequest(
            model="bench:credit-scorer",
            version=version,
            template="standard",
            answers=answers,
            decision=decision,
            identity="ana@example.org",
            comment="Benchmark sign-off.",
        )
        reviews.sign(request, PASSPHRASE)
    return services.database, identities.unlock("olga@example.org", PASSPHRASE)


def _one(db: Database, signing: SigningKey) -> tuple[int, float, float, float]:
    """Pages, and seconds to read, lay out and sign the report of version 2."""
    from countersign.services.reports.pdf.document import build_report
    from countersign.services.reports.signing import sign_report

    identity = signing.identity
    start = time.perf_counter()
    data = gather_report(
        db,
        "bench:credit-scorer",
        "2",
        exported_at="2026-11-23T12:00:00Z",
        exporter=Exporter(identity.name, identity.email, identity.role, identity.fingerprint),
    )
    attachments = report_attachments(data)
    read = time.perf_counter()
    built = build_report(data, attachments)
    laid_out = time.perf_counter()
    sign_report(built, attachments, data, signing, reason="benchmark")
    signed = time.perf_counter()
    return built.pages, read - start, laid_out - read, signed - laid_out


def _signed_report(db: Database, signing: SigningKey, folder: Path) -> tuple[Path, list[Path], int]:
    """Version 2's signed report written to a file, the signers' certificates, its pages."""
    from countersign.services.reports.pdf.document import build_report
    from countersign.services.reports.signing import sign_report

    identity = signing.identity
    data = gather_report(
        db,
        "bench:credit-scorer",
        "2",
        exported_at="2026-11-23T12:00:00Z",
        exporter=Exporter(identity.name, identity.email, identity.role, identity.fingerprint),
    )
    attachments = report_attachments(data)
    pdf = folder / "report-10.pdf"
    built = build_report(data, attachments)
    pdf.write_bytes(sign_report(built, attachments, data, signing, "benchmark"))
    certificates = []
    for number, record in enumerate(data.signoffs):
        path = folder / f"signer-{number}.pem"
        path.write_text(record.certificate_pem, encoding="utf-8")
        certificates.append(path)
    officer = folder / "officer.pem"
    officer.write_text(identity.certificate_pem, encoding="utf-8")
    return pdf, [officer, *certificates], built.pages


def _gate_figure(db: Database, signing: SigningKey, folder: Path, repeat: int) -> Figure:
    """``gate --evidence`` on the 10-page report, against pyHanko's bare signature check.

    Version 2 was sent back, so the gate says no; it reads and checks all of the
    report (signature, sign-offs, attachments, card) before it says so.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from countersign.services.deployment.evidence import evidence_gate
    from countersign.services.deployment.records import GateQuestion
    from countersign.services.reports.signing import asn1_certificate

    pdf, trust, pages = _signed_report(db, signing, folder)
    question = GateQuestion("production")

    def gate() -> None:
        result = evidence_gate(pdf, question, trust=trust)
        if not any(c.check.startswith("report") and c.ok for c in result.checks):
            raise SystemExit(f"the benchmark report did not verify: {result.checks}")

    def raw() -> None:
        roots = [asn1_certificate(path.read_text(encoding="utf-8")) for path in trust]
        with pdf.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            validate_pdf_signature(reader.embedded_signatures[0], context)

    gate()  # imports, once
    return Figure(
        f"gate --evidence on the {pages}-page signed report",
        "s",
        [_timed(gate) for _ in range(repeat)],
        "pyHanko's check of the same PDF signature",
        [_timed(raw) for _ in range(repeat)],
        f"<= {GATE_GOAL * 1000:.0f} ms",
        goal_absolute=GATE_GOAL,
    )


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(quick: bool, repeat: int) -> list[Figure]:
    """Build and sign the 10-page report (and, unless ``quick``, the 50-page one)."""
    targets = (10,) if quick else (50, 10)
    figures = []
    with tempfile.TemporaryDirectory() as temp:
        registries = {pages: _registry(Path(temp), SIZES[pages]) for pages in targets}
        _one(*registries[targets[-1]])  # the imports and fonts, once per run
        for target in targets:
            runs = [_one(*registries[target]) for _ in range(repeat)]
            goal = GOALS[target]
            figures.append(
                Figure(
                    f"signed report, {runs[0][0]} pages (build + sign)",
                    "s",
                    [r[1] + r[2] + r[3] for r in runs],
                    "",
                    [],
                    f"<= {goal * 1000:.0f} ms",
                    goal_absolute=goal,
                )
            )
        figures.append(_gate_figure(*registries[10], Path(temp), repeat))
        for db, _ in registries.values():
            db.dispose()
    return figures


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        registries = {pages: _registry(Path(temp), SIZES[pages]) for pages in sorted(GOALS)}
        cold = _timed(lambda: _one(*registries[10]))
        print(f"first report of the run (imports reportlab and pyHanko, fonts): {cold:.2f} s")
        print(
            f"{'target':>6} {'pages':>6} {'read':>8} {'layout':>8} {'sign':>8} "
            f"{'total':>8}  {'goal':>6}  verdict"
        )
        for target in sorted(GOALS, reverse=True):
            runs = [_one(*registries[target]) for _ in range(args.repeat)]
            pages = runs[0][0]
            read, layout, sign = (statistics.median(r[i] for r in runs) for i in (1, 2, 3))
            total = statistics.median(r[1] + r[2] + r[3] for r in runs)
            goal = GOALS[target]
            verdict = "met" if total <= goal else f"MISSED ({total / goal:.1f}x the goal)"
            print(
                f"{target:>6} {pages:>6} {read:>7.3f}s {layout:>7.3f}s {sign:>7.3f}s "
                f"{total:>7.3f}s  {goal:>5.1f}s  {verdict}"
            )
        for db, _ in registries.values():
            db.dispose()


if __name__ == "__main__":
    main()
