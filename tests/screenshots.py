"""Render every main screen of the workstation to PNG files, offscreen, on the demo registry.

    python tests/screenshots.py [--theme system|light|dark] OUTDIR

Builds the demo registry in a temporary folder, opens the main window at
1440x900 and saves: the browser, each tab of the model page (and Compare's attachments side by side), a search, the
import preview of a refused (hostile) bundle and of a good one, the audit
trail window after Verify chain, the card draft editor (empty, half filled in with its
completeness panel, and complete), and a sign-off: the failed adverse impact threshold
of the Review tab with its escalation, the Review tab answered, the
signing dialog, the tab once signed, and Settings ▸ Identities (and, last, Settings ▸
Metric policy before and after a policy is imported); then the signed
report: the export dialog, the preview of the exported PDF with its verdict,
and Tools ▸ Verify report… on that file and on a copy with one byte changed
inside the signed range.  Nothing of the
officer's (registry, settings, keyring) is touched: keys go to an in-memory
keyring.  Not a test module: tests/views/test_screenshots.py
runs :func:`main` as a smoke test.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__":
    # Run as a script: make the project importable and keep every window offscreen.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from keyring.backend import KeyringBackend
from PySide6.QtCore import (
    QDate,
    QEventLoop,
    QMessageLogContext,
    QPoint,
    QSettings,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from countersign.formats.bundle.signing import TeamCertificate
from countersign.models.vocabulary import AnswerValue, AuditAction, Theme
from countersign.services.demo import build_demo_registry
from countersign.services.drafts import create_model_card
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.registry_copy import copy_between
from countersign.services.reports.reports import ReportSigner
from countersign.services.reviews import conditions
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.reviews.reviews import Answer, SignOffRequest
from countersign.services.storage import database
from countersign.services.workstation import ServiceOptions, Services, open_services
from countersign.views.actions import MENUS
from countersign.views.appearance.theme import theme_switcher
from countersign.views.application import show_first_look
from countersign.views.audit.window import AuditWindow
from countersign.views.background import worker_pool
from countersign.views.drafts.editor import DraftEditor
from countersign.views.identities.dialog import IdentitiesDialog
from countersign.views.identities.forms import CreateIdentityDialog
from countersign.views.importing.dialog import ImportDialog
from countersign.views.main_window import MainWindow
from countersign.views.policy.dialog import PolicyDialog
from countersign.views.reports.export_dialog import report_file_name
from countersign.views.reports.preview import ReportPreview
from countersign.views.review.tab import ReviewTab
from countersign.views.startup_window import StartupWindow
from tests.helpers.bundles import TEAM, make_signer, path_bundle, signed_bundle, write
from tests.helpers.drafts import full_model_info
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring, PlaintextKeyring, installed
from tests.helpers.model_signatures import bundle_with_models, model_folder, sign_model
from tests.helpers.registry import native_card, write_card
from tests.helpers.report_window import tampered_copy

WINDOW_SIZE = (1440, 900)
"""The size every main-window screenshot is taken at."""

SHOWN_MODEL = "retail-credit-risk-scorer"
"""The demo model shown in the model-page screenshots: three versions, attachments, a signature."""

SEARCH_TEXT = "monitor"
"""What the search screenshot searches for (a prefix: it finds "monitoring" too)."""

TRIAGE_MODEL, TRIAGE_VERSION = "ed-triage-note-classifier", "1.2.0"
"""The demo version a second approver signs in the home screen's screenshot (high risk)."""

FORECASTER_MODEL, FORECASTER_VERSION = "store-demand-forecaster", "3.1"
"""The demo version approved for twelve days in the home screen's screenshot."""

SIGNER_PASSPHRASE = "meridian review 2026"
"""The passphrase of the demo reviewers made for the sign-off screenshots."""

CONDITIONS = (
    "Re-validate on the 2027 application data before the Q3 release.",
    "Monitor the approval rate of applicants aged 65+ monthly.",
)
"""The conditions the sign-off screenshots approve on."""

EXPIRES = database.utc_today() + datetime.timedelta(days=120)
"""The last day the approval signed in the screenshots holds; later screens stand after it."""

FIXED_SCREENS = (
    "startup-first-look",
    "startup-first-look-models",
    "home",
    "browser",
    "search",
    "compare-attachments",
    "import-refused",
    "import-good",
    "import-model-signed",
    "import-model-unsigned",
    "import-model-failed",
    "model-files-signed",
    "audit-verified",
    "review-threshold",
    "review-answered",
    "review-signing",
    "review-signing-wrong-passphrase",
    "review-signed",
    "identities",
    "identity-setup-no-keyring",
    "classify-dialog",
    "stages-model-page",
    "stages-versions",
    "export-dialog",
    "export-preview",
    "verify-valid",
    "verify-tampered",
    "publish-done",
    "policy-shipped",
    "policy-imported",
    "expired-browser",
    "expired-model-page",
    "expired-review",
    "draft-empty",
    "draft-half",
    "draft-bundle",
    "draft-full",
    "home-signer",
    "merged-history",
    "merged-audit",
    "merged-audit-model",
)
"""Screens always rendered; one ``model-<tab>`` screen per model-page tab comes on top."""


def settle(done: Callable[[], bool] = lambda: True, timeout: float = 20.0) -> None:
    """Process events until ``done()`` holds and no background work is left (or time is up)."""
    # QEventLoop.processEvents, not the static QApplication.processEvents: with PySide6 6.12
    # on Python 3.11 every call of a method returning nothing drops a reference to None.
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    while True:
        loop.processEvents()
        idle = worker_pool().waitForDone(20)
        loop.processEvents()
        if idle and done():
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish its background work in time")


def _save(widget: QWidget, outdir: Path, name: str) -> Path:
    settle()
    path = outdir / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def _slug(tab_text: str) -> str:
    # "Versions (3)" -> "versions": the count changes with the model, the name does not.
    base = re.sub(r"\s*\(\d+\)$", "", tab_text).replace("&", "")
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")


def model_tab_screens(window: MainWindow) -> list[str]:
    """The names of the model-page screens, one per tab of the window's model page."""
    tabs = window.model_page.tabs
    return [f"model-{_slug(tabs.tabText(index))}" for index in range(tabs.count())]


def render_screens(outdir: Path, work: Path) -> list[Path]:
    """Render every screen into ``outdir``, with the demo registry built under ``work``."""
    with installed(MemoryKeyring()) as keyring:
        return _render_screens(outdir, work, keyring)


def _render_screens(outdir: Path, work: Path, keyring: KeyringBackend) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    registry = str(build_demo_registry(work / "demo"))
    services = open_services(registry, ServiceOptions(keyring=keyring, key_rounds=TEST_ROUNDS))
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    saved: list[Path] = _save_first_look(services, settings, outdir)
    window = MainWindow(services, settings, demo=True)
    try:
        window.resize(*WINDOW_SIZE)
        window.show()
        settle(lambda: not window.counting and window.counts_label.text() != "Counting…")
        settle(lambda: window.home.desk is not None and not window.home.loading)
        saved.append(_save(window, outdir, "home"))
        window.show_registry()
        saved.append(_save(window, outdir, "browser"))

        saved.extend(_save_model_tabs(window, outdir))

        saved.append(_save_search(window, outdir))

        hostile = write(work, "payments-2026-11.cardbundle", path_bundle("../../.bashrc"))
        good = write(work, "credit-scorer-2026-11.cardbundle", signed_bundle())
        for name, path in (("import-refused", hostile), ("import-good", good)):
            saved.append(_save_import_preview(window, path, outdir, name))

        saved.append(_save_audit(window, outdir))

        saved.extend(_save_sign_off(window, services, outdir))
        saved.extend(_save_stages(window, outdir))
        saved.extend(_save_report(window, outdir, work))
        saved.append(_save_publish(window, services, outdir, work))
        saved.extend(_save_expired(window, services, outdir))
        saved.extend(_save_drafts(window, outdir, work))
        saved.extend(_save_model_signatures(window, outdir, work))
        saved.extend(_save_policy(window, outdir, work))
        saved.append(_save_home_signer(window, services, outdir))
        saved.extend(_save_merged(window, (registry, services), outdir, work))
    finally:
        window.close()
        window.deleteLater()
        settle()
        services.close()
    return saved


def _save_first_look(services: Services, settings: QSettings, outdir: Path) -> list[Path]:
    """The start-up window with its first look at the registry, before the main window;
    then its models list, as Ctrl+0 shows it meanwhile.
    """
    location = services.database.location
    shell = StartupWindow(location, settings, menus=MENUS)
    try:
        shell.resize(*WINDOW_SIZE)
        shell.show()
        if show_first_look(location, shell, settings) is None:
            raise LookupError(f"the demo registry {location} got no first look")
        saved = [_save(shell, outdir, "startup-first-look")]
        QTest.keyClick(shell, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
        saved.append(_save(shell, outdir, "startup-first-look-models"))
        return saved
    finally:
        shell.close()
        shell.deleteLater()


def _save_model_tabs(window: MainWindow, outdir: Path) -> list[Path]:
    """Show the model the screens are of, and save each tab of its page."""
    saved: list[Path] = []
    if not window.browser.select_model(SHOWN_MODEL):
        raise LookupError(f"the demo registry has no model {SHOWN_MODEL!r}")
    settle(lambda: window.model_page.model_name == SHOWN_MODEL, timeout=5)
    for index, name in enumerate(model_tab_screens(window)):
        window.model_page.show_tab(index)
        saved.append(_save(window, outdir, name))
        if window.model_page.tabs.widget(index) is window.model_page.compare_tab:
            compare = window.model_page.compare_tab
            compare.details.setCurrentWidget(compare.attachments)
            saved.append(_save(window, outdir, "compare-attachments"))
            compare.details.setCurrentIndex(0)
    window.model_page.show_tab(0)
    return saved


def _save_home_signer(window: MainWindow, services: Services, outdir: Path) -> Path:
    """The home screen once the officer has identities here: a round that waits for them.

    A clinical approver signs the triage classifier's new version from her own
    workstation (her key is then removed from this keyring): a high-risk round, one
    approval of two, waiting for Dana or Sam.  Sam approves the demand forecaster's
    new version with a condition, for twelve days: it shows among the approvals
    expiring soon.
    """
    dana = services.identities.unlock("dana.whitfield@meridian.example", SIGNER_PASSPHRASE)
    priya = services.identities.create(
        "Priya Raman",
        "priya.raman@meridian.example",
        "approver",
        SIGNER_PASSPHRASE,
        granted_by=dana,
    )
    draft = services.reviews.prepare(TRIAGE_MODEL, TRIAGE_VERSION, template="high-risk")
    answers = {
        view.item.id: Answer(AnswerValue.PASS, "Checked against the clinical safety case.")
        for view in draft.items
    }
    services.reviews.sign(
        SignOffRequest(
            model=TRIAGE_MODEL,
            version=TRIAGE_VERSION,
            template="high-risk",
            answers=answers,
            decision="approve",
            identity=priya.email,
            comment="Sensitivity on the urgent class holds; a second approver is needed.",
            terms=ApprovalTerms(expires=EXPIRES),
        ),
        SIGNER_PASSPHRASE,
    )
    services.identities.keystore.delete(priya.fingerprint)
    forecaster = services.reviews.prepare(FORECASTER_MODEL, FORECASTER_VERSION)
    services.reviews.sign(
        SignOffRequest(
            model=FORECASTER_MODEL,
            version=FORECASTER_VERSION,
            template=forecaster.template.reference,
            answers={
                view.item.id: Answer(AnswerValue.PASS, "Checked with Supply Chain Analytics.")
                for view in forecaster.items
            },
            decision="approve",
            identity="sam.okafor@meridian.example",
            comment="Approved for the holiday season only; review again in January.",
            terms=ApprovalTerms(
                ("Weekly WAPE report to the governance team.",),
                conditions.today() + datetime.timedelta(days=12),
            ),
        ),
        SIGNER_PASSPHRASE,
    )
    window.refresh()
    window.show_home()
    # The refresh may have re-announced the browser's current row: let it land first.
    settle(lambda: not window.home.loading and not window.browser.selection_pending)
    return _save(window, outdir, "home-signer")


def _save_search(window: MainWindow, outdir: Path) -> Path:
    """Search the registry, open the best hit, and save the window."""
    window.browser.search(SEARCH_TEXT)
    settle(lambda: not window.browser.search_pending)
    hits = window.browser.search_model
    if hits.rowCount() == 0:
        raise LookupError(f"the demo registry has no card matching {SEARCH_TEXT!r}")
    best = hits.search_row(0).hit
    window.browser.table.selectRow(0)
    settle(
        lambda: (
            (window.model_page.model_name, window.model_page.version) == (best.model, best.version)
            and window.model_page.card_tab.highlighted > 0
        )
    )
    saved = _save(window, outdir, "search")
    window.browser.search_box.clear()
    return saved


def _save_audit(window: MainWindow, outdir: Path) -> Path:
    """Open the audit trail, verify it, show a sign-off's details, and save it."""
    window.open_audit_trail()
    audit = window.findChild(AuditWindow)
    if audit is None:
        raise LookupError("the audit trail window did not open")
    audit.resize(1280, 800)
    verified: list[object] = []
    audit.verified.connect(verified.append)
    audit.verify_button.click()
    settle(lambda: bool(verified))
    signed = next(
        (
            row
            for row in range(audit.model.rowCount())
            if audit.model.row(row).action == AuditAction.REVIEW_SIGNED
        ),
        0,
    )
    audit.table.selectRow(signed)  # the details pane, in words
    settle()
    saved = _save(audit, outdir, "audit-verified")
    audit.close()
    return saved


def _save_merged(
    window: MainWindow, team: tuple[str, Services], outdir: Path, work: Path
) -> list[Path]:
    """Work done on a laptop copy merged back after the registry went on: History, audit trail."""
    registry, services = team
    laptop = str(work / "laptop.sqlite3")
    copy_between(registry, laptop)
    offline = open_services(laptop, ServiceOptions(key_rounds=TEST_ROUNDS))
    try:
        for version in ("4.0-offline", "4.1-offline"):  # an import, then one superseding it
            card = native_card(SHOWN_MODEL, version, risk_rating="medium")
            offline.importer.import_file(
                write_card(work, f"{version}.json", card), LooseCardInfo(team="Risk")
            )
    finally:
        offline.close()
    card = native_card("branch-footfall-forecaster", "1.0", risk_rating="low")
    services.importer.import_file(write_card(work, "team.json", card), LooseCardInfo(team="Ops"))
    copy_between(laptop, registry)
    window.refresh()
    settle(lambda: not window.counting)
    window.show_registry()
    if not window.browser.select_model(SHOWN_MODEL):
        raise LookupError(f"the demo registry has no model {SHOWN_MODEL!r}")
    settle(lambda: window.model_page.model_name == SHOWN_MODEL, timeout=5)
    page = window.model_page
    page.tabs.setCurrentWidget(page.history_tab)
    settle()
    page.history_tab.table.scrollToBottom()  # the laptop's work, then the merge that sealed it
    settle()
    saved = [_save(window, outdir, "merged-history")]
    page.show_tab(0)
    return [*saved, *_save_merged_audit(window, services, outdir)]


def _save_merged_audit(window: MainWindow, services: Services, outdir: Path) -> list[Path]:
    """The audit trail window: the merged work just before its merge; then filtered by model."""
    window.open_audit_trail()
    audit = window.findChild(AuditWindow)
    if audit is None:
        raise LookupError("the audit trail window did not open")
    audit.resize(1440, 900)
    audit.refresh()
    (merge,) = services.audit.events(action=AuditAction.REGISTRY_MERGED)
    verified: list[object] = []
    audit.verified.connect(verified.append)
    audit.verify_button.click()
    settle(lambda: bool(verified))
    row = audit.model.fetch_until(merge.id)
    if row is None or audit.model.row(row - 1).merged_by != merge.id:
        raise LookupError("the audit trail window does not show the merged work just before it")
    audit.table.selectRow(row)  # the merge, just below the work it sealed
    audit.table.scrollTo(audit.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtBottom)
    settle()
    saved = [_save(audit, outdir, "merged-audit")]
    # Filtered by the model, the merge that brought its work still shows.
    audit.model_filter.setText(SHOWN_MODEL)
    audit.model_filter.returnPressed.emit()
    row = audit.model.fetch_until(merge.id)
    if row is None:
        raise LookupError("the audit trail window filtered by model hides the merge")
    audit.table.selectRow(row)
    audit.table.scrollTo(audit.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtBottom)
    settle()
    saved.append(_save(audit, outdir, "merged-audit-model"))
    audit.close()
    return saved


def _save_import_preview(window: MainWindow, path: Path, outdir: Path, name: str) -> Path:
    """Open the import preview of ``path``, save it once read, and cancel (nothing lands)."""
    dialog = ImportDialog(window.importer, [path], window)
    ready: list[bool] = []
    dialog.preview_ready.connect(lambda: ready.append(True))
    dialog.show()
    settle(lambda: bool(ready))
    saved = _save(dialog, outdir, name)
    dialog.reject()
    dialog.deleteLater()
    settle()
    return saved


def _save_model_signatures(window: MainWindow, outdir: Path, work: Path) -> list[Path]:
    """Preview three bundles whose model files are team-signed, unsigned and tampered; then
    import the signed one and show its model files.

    The team's certificate is given to an importer made here: the officer's own
    trust file is not touched.
    """
    team = make_signer("Credit Risk Analytics model signing")
    trusted = [TeamCertificate(TEAM, team.certificate_pem(), team.fingerprint())]
    importer = Importer(
        window.importer.database, actor="screenshots", team_certificates=lambda: trusted
    )
    paths = []
    for case in ("signed", "unsigned", "failed"):
        model = model_folder(work / f"model-{case}")
        signature = sign_model(model.folder, team, work / f"model-{case}.sig")
        if case == "failed":
            (model.folder / "model.safetensors").write_bytes(b"weights swapped after signing")
        bundle = bundle_with_models(
            work / f"bundle-{case}", model.files(), [] if case == "unsigned" else [signature]
        )
        paths.append(bundle.rename(work / f"credit-scorer-{case}.cardbundle"))
    dialog = ImportDialog(importer, paths, window)
    ready: list[bool] = []
    dialog.preview_ready.connect(lambda: ready.append(True))
    dialog.show()
    settle(lambda: bool(ready))
    saved = []
    for row, case in enumerate(("signed", "unsigned", "failed")):
        dialog.files_view.selectRow(row)
        settle()
        saved.append(_save(dialog, outdir, f"import-model-{case}"))
    dialog.reject()
    dialog.deleteLater()
    settle()
    if not importer.import_file(paths[0]).landed:
        raise RuntimeError("the team-signed bundle did not import")
    window.browser.refresh()
    settle(lambda: window.browser.select_model("credit-scorer"), timeout=5)
    settle(lambda: window.model_page.model_name == "credit-scorer", timeout=5)
    window.model_page.show_tab(window.model_page.tabs.indexOf(window.model_page.attachments_tab))
    settle()
    saved.append(_save(window, outdir, "model-files-signed"))
    window.model_page.show_tab(0)
    return saved


def _save_sign_off(window: MainWindow, services: Services, outdir: Path) -> list[Path]:
    """Answer the Review tab of the shown model, sign as an officer, and show the identities."""
    services.identities.create(
        "Dana Whitfield", "dana.whitfield@meridian.example", "officer", SIGNER_PASSPHRASE
    )
    dana = services.identities.unlock("dana.whitfield@meridian.example", SIGNER_PASSPHRASE)
    services.identities.create(
        "Sam Okafor", "sam.okafor@meridian.example", "approver", SIGNER_PASSPHRASE, granted_by=dana
    )
    # Its newest version: the search before may have left an older one on the page.
    window.model_page.show_model(SHOWN_MODEL)
    tab = window.model_page.review_tab
    window.model_page.tabs.setCurrentWidget(tab)
    settle()
    # The failed adverse impact threshold: each slice beside 2.1's, and its escalation.
    threshold = tab.items.row_of("adverse-impact")
    if threshold is None:
        raise LookupError("the high-risk checklist has no adverse-impact item")
    tab.table.selectRow(threshold)
    settle()
    saved = [_save(window, outdir, "review-threshold")]
    _answer_like_a_reviewer(tab)
    saved.append(_save(window, outdir, "review-answered"))
    tab.start_sign_off()
    dialog = tab.signing_dialog
    if dialog is None:
        raise RuntimeError(f"the signing dialog did not open: {tab.problem_text()}")
    if dialog.terms is not None:
        dialog.terms.conditions.setPlainText("\n".join(CONDITIONS))
        dialog.terms.expires_check.setChecked(True)
        day = EXPIRES
        dialog.terms.expires.setDate(QDate(day.year, day.month, day.day))
    dialog.passphrase.setText(SIGNER_PASSPHRASE)
    saved.append(_save(dialog, outdir, "review-signing"))
    dialog.passphrase.setText("not the passphrase")
    dialog.accept()
    settle(lambda: not dialog.signing and bool(dialog.problem.text()))
    saved.append(_save(dialog, outdir, "review-signing-wrong-passphrase"))
    dialog.passphrase.setText(SIGNER_PASSPHRASE)
    dialog.accept()
    settle(lambda: not dialog.signing)
    if tab.problem_text() or not tab.signoffs.model.rowCount():
        raise RuntimeError(f"the sign-off was not stored: {tab.problem_text()}")
    saved.append(_save(window, outdir, "review-signed"))
    identities = IdentitiesDialog(services.identities, window)
    identities.show()
    settle(lambda: identities.keyring_ok is not None)
    saved.append(_save(identities, outdir, "identities"))
    identities.close()
    identities.deleteLater()
    saved.append(_save_setup_without_keyring(window, outdir))
    return saved


def _save_setup_without_keyring(window: MainWindow, outdir: Path) -> Path:
    """The first-run identity form on a computer whose keyring cannot hold keys."""
    with tempfile.TemporaryDirectory(prefix="countersign-no-keyring-") as folder:
        services = open_services(
            str(Path(folder) / "registry.sqlite3"),
            ServiceOptions(keyring=PlaintextKeyring(), actor="officer"),
        )
        try:
            form = CreateIdentityDialog(services.identities, window, first_run=True)
            form.show()
            settle(lambda: not form.working and bool(form.problem_text()))
            saved = _save(form, outdir, "identity-setup-no-keyring")
            form.close()
            form.deleteLater()
            settle()
        finally:
            services.close()
    return saved


def _save_stages(window: MainWindow, outdir: Path) -> list[Path]:
    """Classify… on the model page (signed by the officer), then the page and its Versions tab."""
    page = window.model_page
    page.show_model(SHOWN_MODEL)
    page.show_tab(0)
    settle()
    dialog = page.open_classify_dialog()
    if dialog is None:
        raise RuntimeError("Classify… did not open")
    dialog.tier.setCurrentIndex(dialog.tier.findData("high"))
    dialog.reason.setPlainText(
        "Credit decisions about consumers: high risk under model risk policy MRP-07."
    )
    dialog.passphrase.setText(SIGNER_PASSPHRASE)
    settle()
    saved = [_save(dialog, outdir, "classify-dialog")]
    dialog.buttons.accepted.emit()
    settle()
    if dialog.problem.isVisible():
        raise RuntimeError(f"the classification was refused: {dialog.problem.text()}")
    dialog.deleteLater()
    saved.append(_save(window, outdir, "stages-model-page"))
    page.tabs.setCurrentWidget(page.versions_tab)
    settle()
    saved.append(_save(window, outdir, "stages-versions"))
    page.show_tab(0)
    return saved


def _save_report(window: MainWindow, outdir: Path, work: Path) -> list[Path]:
    """Export the signed report of the version just signed, preview it, and verify it twice."""
    window.model_page.show_model(SHOWN_MODEL)
    settle()
    window.export_report()
    dialog = window.report_commands.export_dialog
    if dialog is None:
        raise RuntimeError("the export dialog did not open")
    reports = work / "reports"
    reports.mkdir()
    version = window.model_page.version or ""
    dialog.file_edit.setText(str(reports / report_file_name(SHOWN_MODEL, version)))
    combo = dialog.signer.identity_combo
    combo.setCurrentIndex(combo.findData("dana.whitfield@meridian.example"))
    dialog.passphrase.setText(SIGNER_PASSPHRASE)
    saved = [_save(dialog, outdir, "export-dialog")]
    dialog.accept()
    commands = window.report_commands
    settle(lambda: isinstance(commands.preview, ReportPreview) and not commands.preview.verifying)
    preview = commands.preview
    if not isinstance(preview, ReportPreview) or preview.verification is None:
        raise RuntimeError(f"the report was not exported: {dialog.problem_text()}")
    preview.resize(*WINDOW_SIZE)
    settle()
    time.sleep(0.5)  # QtPdf renders pages on its own thread
    saved.append(_save(preview, outdir, "export-preview"))
    report = preview.path
    preview.close()

    verify = commands.verify()
    verify.resize(1200, 720)
    for name, path in (
        ("verify-valid", report),
        ("verify-tampered", tampered_copy(report, work / "tampered-report.pdf")),
    ):
        verify.verify_file(path)
        settle(lambda: not verify.checking)
        saved.append(_save(verify, outdir, name))
    verify.close()
    return saved


def _save_publish(window: MainWindow, services: Services, outdir: Path, work: Path) -> Path:
    """Publish an approved version of the shown model as the officer: the files and attestation."""
    approved = next(
        v.version for v in services.registry.versions(SHOWN_MODEL) if v.status == "approved"
    )
    window.model_page.show_model(SHOWN_MODEL, approved)
    settle()
    window.publish_version()
    dialog = window.report_commands.publish_dialog
    if dialog is None:
        raise RuntimeError("the publish dialog did not open")
    combo = dialog.signer.identity_combo
    combo.setCurrentIndex(combo.findData("dana.whitfield@meridian.example"))
    dialog.folder_edit.setText(str(work / "published"))
    dialog.accept()
    dialog.passphrase.setText(SIGNER_PASSPHRASE)
    settle()
    dialog.publish_button.click()
    settle(lambda: dialog.result_value is not None or bool(dialog.problem_text()))
    if dialog.result_value is None:
        raise RuntimeError(f"publishing failed: {dialog.problem_text()}")
    shot = _save(dialog, outdir, "publish-done")
    dialog.close()
    return shot


def _save_expired(window: MainWindow, services: Services, outdir: Path) -> list[Path]:
    """The day after the approval signed above expired: the browser, the model page, the report.

    The report is written beside the screens as ``expired-report.pdf`` (render it with
    ``pdftoppm -png -r 60``).
    """
    real_today = database.utc_today
    database.utc_today = lambda: EXPIRES + datetime.timedelta(days=1)
    try:
        window.model_page.show_model(SHOWN_MODEL)
        window.model_page.show_tab(0)
        window.refresh()
        settle(lambda: not window.counting)
        saved = [_save(window, outdir, "expired-browser")]
        page = window.model_page
        page.tabs.setCurrentWidget(page.versions_tab)
        settle()
        saved.append(_save(window, outdir, "expired-model-page"))
        page.tabs.setCurrentWidget(page.review_tab)
        settle()
        saved.append(_save(window, outdir, "expired-review"))
        page.show_tab(0)
        signer = ReportSigner("dana.whitfield@meridian.example", SIGNER_PASSPHRASE)
        services.reports.export(SHOWN_MODEL, None, signer, outdir / "expired-report.pdf")
    finally:
        database.utc_today = real_today
    return saved


def _save_drafts(window: MainWindow, outdir: Path, work: Path) -> list[Path]:
    """The draft editor: an empty draft, one half filled in, and a complete one opened."""
    empty = window.new_draft()
    if not isinstance(empty, DraftEditor):
        raise TypeError("File ▸ New card draft… did not open the draft editor")
    empty.resize(*WINDOW_SIZE)
    saved = [_save(empty, outdir, "draft-empty")]
    form = empty.form
    for key, text in (
        ("model_details.name", "ImageClassifier"),
        ("model_details.version", "1.0"),
        ("model_details.summary", "Classifies product photos into 40 catalogue categories."),
        ("owners", "Vision team <vision-team@meridian.example>"),
        ("intended_use.text", "Suggests a catalogue category for each photo a seller uploads."),
        ("caveats_and_recommendations.limitations", "May misclassify rare images"),
    ):
        form.set_field(key, text)
    form.metrics_model.insertRows(0, 1)
    for column, text in enumerate(("accuracy", "0.92", "catalogue-photos-2026", "test")):
        form.metrics_model.setData(form.metrics_model.index(0, column), text)
    empty.refresh_now()
    saved.append(_save(empty, outdir, "draft-half"))
    dialog = empty.export_bundle()
    dialog.team.setText("Vision team")
    dialog.output.setText(str(work / "vision-2026-12.cardbundle"))
    saved.append(_save(dialog, outdir, "draft-bundle"))
    dialog.reject()
    empty.discard_changes()
    empty.close()
    full_path = work / "retail-churn-predictor.md"
    create_model_card(full_model_info(), full_path)
    full = window.open_draft(full_path)
    if full is None:
        raise RuntimeError("the complete draft did not open")
    full.resize(*WINDOW_SIZE)
    settle()
    # Down to the metrics table: the top of the form looks as in draft-half.
    table = full.form.metrics_table
    top = table.mapTo(full.form.widget(), QPoint(0, 0)).y()
    full.form.verticalScrollBar().setValue(top - 60)
    saved.append(_save(full, outdir, "draft-full"))
    full.close()
    settle()
    return saved


DEMO_POLICY = """\
version: 1
title: Meridian Bank metric policy
description: Directions the model risk office agreed for retail credit scorecards.
metrics:
  - name: approval rate
    direction: higher
    note: >-
      At the fixed PD cut-off of the lending policy, approving more applicants at the
      same risk is better; the adverse impact ratio watches who is approved.
  - name: population stability index
    aliases: [psi]
    target: 0
    target_label: stable population
"""


def _save_policy(window: MainWindow, outdir: Path, work: Path) -> list[Path]:
    """Settings ▸ Metric policy: the shipped terms, then an imported version and what it changed."""
    window.open_policy()
    dialog = window._policy_dialog
    if not isinstance(dialog, PolicyDialog):
        raise RuntimeError("Settings ▸ Metric policy did not open")
    dialog.resize(1100, 680)
    settle()
    saved = [_save(dialog, outdir, "policy-shipped")]
    path = work / "meridian-policy.yaml"
    path.write_text(DEMO_POLICY, encoding="utf-8")
    if not dialog.import_file(path):
        raise RuntimeError(f"the demo policy was refused: {dialog.problem.text()}")
    settle()
    saved.append(_save(dialog, outdir, "policy-imported"))
    dialog.close()
    return saved


def _answer_like_a_reviewer(tab: ReviewTab) -> None:
    """Answer what the automatic checks left open, as a careful reviewer would, and approve."""
    items = tab.items
    for view in items.unanswered_required():
        row = items.row_of(view.item.id)
        if row is not None:
            items.set_answer(row, Answer("pass", "Read in the card; specific to this model."))
    for view, _reason in items.needing_notes():
        row = items.row_of(view.item.id)
        if row is not None:
            items.set_answer(
                row, Answer("pass", "Proprietary, internal use only: confirmed with Legal.")
            )
    first = items.row_of("licence-approved")
    tab.table.selectRow(first if first is not None else 0)
    tab.choose_decision("approve")
    tab.decision_panel.comment.setPlainText(
        "Approved for the Q1 release. Watch the open-banking features in the first month."
    )


OFFSCREEN_NOTICES = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)
"""What the offscreen platform says about every window it cannot manage: not a problem."""


def _print_qt_message(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if not message.startswith(OFFSCREEN_NOTICES):
        print(message, file=sys.stderr)


USAGE = "usage: python tests/screenshots.py [--theme system|light|dark] OUTDIR"


def _arguments(args: list[str]) -> tuple[str, str] | None:
    """(theme, OUTDIR) from the command line, or None when it is not of that form."""
    theme = Theme.SYSTEM.value
    if len(args) == 3 and args[0] == "--theme" and Theme.known(args[1]):
        theme, args = args[1], args[2:]
    return (theme, args[0]) if len(args) == 1 and not args[0].startswith("-") else None


def main(argv: list[str] | None = None) -> int:
    """Render the screens into OUTDIR, in the theme given (system by default); 2 on wrong usage."""
    parsed = _arguments(sys.argv[1:] if argv is None else argv)
    if parsed is None:
        print(USAGE, file=sys.stderr)
        return 2
    theme, outdir = parsed
    # Held in a name until the end: a QApplication without a reference would be deleted.
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    switcher = theme_switcher(app)
    switcher.apply(theme)
    try:
        with tempfile.TemporaryDirectory(prefix="countersign-screens-") as work:
            for path in render_screens(Path(outdir), Path(work)):
                print(path)
    finally:
        switcher.apply(Theme.SYSTEM)
    return 0


if __name__ == "__main__":
    # Only when run by hand: under pytest, pytest-qt sees every Qt message.
    qInstallMessageHandler(_print_qt_message)
    sys.exit(main())
