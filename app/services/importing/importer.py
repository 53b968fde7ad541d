"""Importing bundles and loose card files into the registry, all or nothing.

An import is two steps so that the window can show a preview first:
:meth:`Importer.plan` reads and checks the file and says what would happen to
each card, writing nothing; :meth:`Importer.apply` lands the plan in one
transaction (checking it again inside that transaction) or, if anything is
refused, lands nothing and records the refusal in the audit trail.
"""

from __future__ import annotations

import hashlib
import sys
import weakref
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.errors import ImportCancelled, InputRefused
from countersign.formats.base import FormatWarning, ReadCard
from countersign.formats.bundle import MANIFEST_NAME
from countersign.formats.bundle.signing import TeamCertificate
from countersign.models.manifest import ManifestCard
from countersign.models.safe_text import name_problem, terminal_text
from countersign.models.tables import CardVersion, Model
from countersign.models.vocabulary import AuditAction, AuditObject, CardOutcome
from countersign.plain_files import open_plain, read_plain
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.importing.landing import collector_on_new_objects, land_plan
from countersign.services.importing.model_files import check_model_signatures
from countersign.services.importing.plan import (
    ImportPlan,
    ImportReport,
    Outcome,
    PlannedAttachment,
    PlannedCard,
)
from countersign.services.importing.workers import (
    CardJob,
    CardReaders,
    ParsedCard,
    Reading,
    collector_paused,
    parse_card,
    spare_cores,
    worker_count,
)
from countersign.services.progress import Cancelled, Progress, no_progress
from countersign.services.storage.database import Database, os_user
from countersign.services.time_limit import TimeLimitExceeded, time_limit

if TYPE_CHECKING:
    from countersign.formats.bundle import OpenedBundle

__all__ = [
    "ImportPlan",
    "ImportReport",
    "Importer",
    "Outcome",
    "PlannedAttachment",
    "PlannedCard",
]

MAX_READ_SECONDS = 60.0
"""Reading and checking one file may take this long; a file that needs longer is refused.

A 1,000-card bundle takes about a second, a 32 MiB card a few.
"""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BUNDLE_SUFFIXES = (".cardbundle", ".zip")


@dataclass(frozen=True)
class LooseCardInfo:
    """What a loose card file may not say itself: its model, its version, the team that sent it.

    Given, ``model`` and ``version`` stand for the card's own (``model`` picks
    one model of a file with several); a bundle's manifest says all three.
    """

    model: str | None = None
    version: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class _CardSource:
    """Where a planned card comes from: the file (in a bundle, its path), model, version,
    bytes, and their SHA-256."""

    file: str
    model: str
    version: str
    original: bytes
    sha256: str


class Importer:
    """Plans and applies imports into one registry."""

    def __init__(
        self,
        database: Database,
        actor: str | None = None,
        read_seconds: float = MAX_READ_SECONDS,
        team_certificates: Callable[[], Sequence[TeamCertificate]] = tuple,
        workers: int | None = None,
    ) -> None:
        self.database = database
        self.actor = actor or os_user()
        self.read_seconds = read_seconds
        self.team_certificates = team_certificates
        """The certificates trusted here to check teams' model signatures (read at each plan)."""
        self.workers = workers
        """Worker processes reading a large bundle's cards (0: read in this process; None:
        as many as the machine has room for at each bundle, :func:`spare_cores`)."""
        self._readers: CardReaders | None = None
        self._stop_readers = weakref.finalize(self, _close_readers, [])

    def close(self) -> None:
        """Stop the worker processes, if any were started (they are kept between bundles)."""
        self._stop_readers()

    def start_workers(self) -> None:
        """Start the worker processes now, in the background, as many as a large bundle
        would be read with (none on a busy machine): the window does while the officer
        chooses files, so that the first bundle does not wait for them to start (it is
        read without them until they are up).  :meth:`close` stops them."""
        count = worker_count(spare_cores() if self.workers is None else self.workers, sys.maxsize)
        if count:
            self._card_readers(count).start()

    def wait_for_workers(self) -> None:
        """Wait for the worker processes still starting (the first large bundle starts them
        in the background and is read without them until they are up): for a benchmark,
        whose imports follow each other faster than an officer's."""
        if self._readers is not None:
            _ = self._readers.processes

    def _card_readers(self, count: int) -> CardReaders:
        """The worker processes, ``count`` of them (started when first needed, then kept)."""
        if self._readers is not None and self.workers is None:
            return self._readers  # the spare cores vary: keep the workers started first
        if self._readers is None or self._readers.count != count:
            self._stop_readers()
            self._readers = CardReaders(count)
            self._stop_readers = weakref.finalize(self, _close_readers, [self._readers])
        return self._readers

    def import_file(
        self,
        path: Path,
        loose: LooseCardInfo | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportReport:
        """Plan and apply in one go (the command line's import)."""
        plan = self.plan(path, loose, progress=progress, cancelled=cancelled)
        return self.apply(plan, cancelled=cancelled)

    # -- planning -------------------------------------------------------------

    def plan(
        self,
        path: Path,
        loose: LooseCardInfo | None = None,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportPlan:
        """Read and check ``path`` and say what importing it would do.  Writes nothing.

        ``loose`` says what a loose card file does not (ignored for a bundle).
        """
        loose = loose or LooseCardInfo()
        report = progress or no_progress
        is_bundle = _looks_like_bundle(path)
        plan = ImportPlan(
            source=path, kind="bundle" if is_bundle else "card", team=loose.team or ""
        )
        # The readers are imported on first use: the window starts without them.
        from countersign.formats.bundle import open_bundle

        try:
            with collector_paused(), time_limit(self.read_seconds) as on_time:
                if is_bundle:
                    report(0, 1, f"Checking bundle {path.name}")
                    with self._reading_ahead(
                        path, Reading(path.name, 0, on_time, cancelled or _never)
                    ):
                        bundle = open_bundle(path)
                        plan.bundle = bundle
                        plan.file_sha256 = bundle.sha256
                        plan.team = bundle.manifest.team
                        self._plan_bundle_cards(plan, bundle, report, cancelled, on_time)
                else:
                    self._plan_loose_card(plan, path, loose)
        except TimeLimitExceeded:
            return _refuse(
                plan,
                f"{path.name}: reading it took longer than {self.read_seconds:g} seconds, "
                "the limit for one file; it is refused",
            )
        except InputRefused as refusal:
            # A card refused inside a bundle names the card; say which bundle it is in too.
            inside = refusal.file != path.name and not str(refusal).startswith(path.name)
            return _refuse(plan, f"{path.name}: {refusal}" if inside else str(refusal))
        report(len(plan.cards), len(plan.cards) + 1, "Comparing with the registry")
        with self.database.read() as session:
            _classify(session, plan)
        if plan.bundle is not None:
            check_model_signatures(plan, plan.bundle, self.team_certificates)
        return plan

    @contextmanager
    def _reading_ahead(self, path: Path, reading: Reading) -> Iterator[None]:
        """While the bundle is checked, a worker already up reads its first cards (the
        workers would otherwise wait for the check: about a tenth of a bundle's reading)."""
        readers = self._readers
        if (
            readers is None
            or not self._reads_with_workers()
            or not readers.read_ahead(path, reading)
        ):
            yield
            return
        try:
            yield
            readers.end_ahead(reading)  # a bundle too small for the workers: read here
        except BaseException:
            readers.abandon_ahead()
            raise

    def _reads_with_workers(self) -> bool:
        """Whether a large bundle would be read with workers now."""
        return (spare_cores() if self.workers is None else self.workers) > 0

    def _plan_bundle_cards(
        self,
        plan: ImportPlan,
        bundle: OpenedBundle,
        report: Progress,
        cancelled: Cancelled | None,
        on_time: Callable[[], None],
    ) -> None:
        attachments, artifacts = _bundle_files(bundle)
        total = len(bundle.cards) + 1
        reading = self._parsed_cards(plan.source.name, bundle, cancelled, on_time)
        # Closed on the way out, so that workers stop at once when a card is refused.
        with closing(reading):
            for index, (item, parsed) in enumerate(zip(bundle.cards, reading, strict=True)):
                planned = _planned(
                    # The manifest's hash of the card: open_bundle found it in its bytes.
                    _CardSource(
                        item.entry.path,
                        item.entry.model,
                        item.entry.version,
                        item.content,
                        item.entry.sha256,
                    ),
                    parsed,
                    _manifest_warnings(item.entry, parsed.read),
                    attachments.get(item.entry.path, []),
                )
                # The manifest's list, under the team signature, wins over the card's.
                planned.artifacts = artifacts.get(item.entry.path) or list(parsed.read.artifacts)
                plan.cards.append(planned)
                report(index, total, f"Reading {item.entry.path}")

    def _parsed_cards(
        self,
        name: str,
        bundle: OpenedBundle,
        cancelled: Cancelled | None,
        on_time: Callable[[], None],
    ) -> Generator[ParsedCard, None, None]:
        """The bundle's cards read in order, here or by workers; each card's names are
        checked before it is read, so the first problem in the bundle's order is refused."""
        jobs = [CardJob(c.entry.path, c.entry.model, c.content) for c in bundle.cards]
        requested = spare_cores() if self.workers is None else self.workers
        reading = Reading(name, worker_count(requested, len(jobs)), on_time, cancelled or _never)
        if not reading.workers:
            for index, job in enumerate(jobs):
                reading.check()
                _check_bundle_names(bundle, index)
                yield parse_card(job)
            return
        with closing(self._card_readers(reading.workers).read(jobs, reading)) as parsed:
            for index in range(len(jobs)):
                reading.check()
                _check_bundle_names(bundle, index)
                yield next(parsed)

    def _plan_loose_card(self, plan: ImportPlan, path: Path, loose: LooseCardInfo) -> None:
        from countersign.formats.detect import read_card, read_cards

        model, version = loose.model, loose.version
        data = _read_loose_file(path)
        plan.file_sha256 = hashlib.sha256(data).hexdigest()
        reads = read_cards(data, path.name)
        if len(reads) > 1 and model:
            # A BOM with several models: --model picks one of them by name.
            reads = [read_card(data, path.name, model=model)]
        for read in reads:
            name = model or read.card.model_details.name.strip()
            if not name:
                raise InputRefused(
                    path.name,
                    "model_details.name",
                    "the card does not name its model; pass --model",
                )
            label = version or read.card.model_details.version.strip()
            if not label:
                raise InputRefused(
                    path.name,
                    "model_details.version",
                    f"the card of {name!r} does not state its version; pass --version"
                    if len(reads) > 1
                    else "the card does not state its version; pass --version",
                )
            _check_names(
                path.name,
                ("--model" if model else "model_details.name", name),
                ("--version" if version else "model_details.version", label),
            )
            source = _CardSource(path.name, name, label, data, plan.file_sha256)
            parsed = ParsedCard(read, *_canonical(read))
            plan.cards.append(_planned(source, parsed, list(read.warnings), []))

    # -- applying -------------------------------------------------------------

    def apply(self, plan: ImportPlan, cancelled: Cancelled | None = None) -> ImportReport:
        """Land ``plan`` whole in one transaction, or record its refusal and land nothing."""
        if not plan.refused:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            if not plan.changes_anything:
                return ImportReport(plan, landed=False)
            with collector_on_new_objects(), self.database.write() as session:
                # Another import may have landed the same cards since planning (two
                # processes importing one bundle): classified again under the write lock,
                # what became known is now "unchanged", and nothing new means no write.
                _classify(session, plan)
                if not plan.refused:
                    if not plan.changes_anything:
                        return ImportReport(plan, landed=False)
                    land_plan(session, plan, self.actor)
                    return ImportReport(plan, landed=True)
        self._record_refusal(plan)
        return ImportReport(plan, landed=False)

    def _record_refusal(self, plan: ImportPlan) -> None:
        details: dict[str, Any] = {
            "file": plan.source.name,
            "sha256": plan.file_sha256,
            "reason": plan.reason(),
        }
        with self.database.write() as session:
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.IMPORT_REFUSED,
                        AuditObject.FILE,
                        plan.source.name,
                        self.actor,
                        details,
                    )
                ],
            )


def _check_names(file: str, model: tuple[str, str], version: tuple[str, str]) -> None:
    """Refuse a model or version name that is empty, path-like or holds control characters."""
    for what, (field, value) in (("model name", model), ("version", version)):
        problem = name_problem(value)
        if problem is not None:
            raise InputRefused(file, field, f"the {what} '{terminal_text(value)}' {problem}")


def _check_bundle_names(bundle: OpenedBundle, index: int) -> None:
    """Refuse the bundle's card ``index`` if its manifest entry's names are not fit."""
    entry = bundle.cards[index].entry
    _check_names(
        MANIFEST_NAME,
        (f"cards[{index}].model", entry.model),
        (f"cards[{index}].version", entry.version),
    )


def _refuse(plan: ImportPlan, reason: str) -> ImportPlan:
    """``plan`` refused whole for ``reason``: no card of it will land."""
    plan.refusal = reason
    plan.cards.clear()
    if not plan.file_sha256:
        plan.file_sha256 = _file_sha256(plan.source)
    return plan


def _looks_like_bundle(path: Path) -> bool:
    if path.suffix.lower() in _BUNDLE_SUFFIXES:
        return True
    try:
        with open_plain(path) as handle:
            return handle.read(4) in _ZIP_MAGIC
    except OSError:
        return False


def _read_loose_file(path: Path) -> bytes:
    from countersign.formats.limits import MAX_CARD_BYTES

    try:
        data = read_plain(path, MAX_CARD_BYTES)
    except (FileNotFoundError, IsADirectoryError):
        raise InputRefused(path.name, "", "no such file (or it is a folder)") from None
    except OSError as error:
        raise InputRefused(path.name, "", f"cannot be read: {error.strerror}") from None
    if len(data) > MAX_CARD_BYTES:
        raise InputRefused(
            path.name, "", f"the file is larger than {MAX_CARD_BYTES // 1024 // 1024} MiB"
        )
    return data


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open_plain(path) as handle:
            for _ in range(1024):  # at most 1 GiB: the hash only labels the refusal
                chunk = handle.read(1024 * 1024)
                if not chunk:
                    break
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _bundle_files(
    bundle: OpenedBundle,
) -> tuple[dict[str, list[PlannedAttachment]], dict[str, list[dict[str, object]]]]:
    """A bundle's attachments and its manifest's model files, by the card they belong to."""
    attachments: dict[str, list[PlannedAttachment]] = {}
    for attachment in bundle.attachments:
        attachments.setdefault(attachment.entry.card, []).append(
            PlannedAttachment(
                attachment.entry.path, attachment.entry.media_type, attachment.content
            )
        )
    artifacts: dict[str, list[dict[str, object]]] = {}
    for artifact in bundle.manifest.artifacts or []:
        artifacts.setdefault(artifact.card, []).append(
            {"name": artifact.name, "sha256": artifact.sha256, "size": artifact.size}
        )
    return attachments, artifacts


def _manifest_warnings(entry: ManifestCard, read: ReadCard) -> list[FormatWarning]:
    """The card's own warnings, and where the card and the bundle's manifest disagree."""
    warnings = list(read.warnings)
    stated = read.stated_version
    if stated and stated != entry.version:
        warnings.append(
            FormatWarning(
                "model_details.version",
                f"the card says version {stated!r}, the manifest {entry.version!r}; "
                "the manifest's is used",
            )
        )
    if entry.format and entry.format != read.source_format:
        warnings.append(
            FormatWarning(
                "manifest format",
                f"the manifest says {entry.format!r} but the file reads as {read.source_format!r}",
            )
        )
    return warnings


def _canonical(read: ReadCard) -> tuple[str, str, str]:
    """A loose card's canonical JSON, search text and hash."""
    canonical, search_text = read.card.canonical_forms()
    return canonical, search_text, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _never() -> bool:
    return False


def _close_readers(readers: list[CardReaders]) -> None:
    """Stop an importer's worker processes (when it is closed, or collected)."""
    for each in readers:
        each.close()


def _planned(
    source: _CardSource,
    parsed: ParsedCard,
    warnings: list[FormatWarning],
    attachments: list[PlannedAttachment],
) -> PlannedCard:
    read = parsed.read
    embedded = [
        PlannedAttachment(f"embedded/{a.name}", a.media_type, a.content) for a in read.attachments
    ]
    return PlannedCard(
        file=source.file,
        model=source.model,
        version=source.version,
        outcome=CardOutcome.NEW_VERSION,
        read=read,
        original=source.original,
        original_sha256=source.sha256,
        sha256=parsed.sha256,
        canonical_json=parsed.canonical_json,
        search_text=parsed.search_text,
        warnings=warnings,
        attachments=attachments + embedded,
        artifacts=list(read.artifacts),
    )


def _classify(session: Session, plan: ImportPlan) -> None:
    """Decide each card's outcome against the registry as it is in ``session``."""
    names = {card.model for card in plan.cards}
    existing = {
        row.name: row.id
        for row in session.execute(select(Model.name, Model.id).where(Model.name.in_(names)))
    }
    versions: dict[tuple[str, str], str] = {}
    if existing:
        query = (
            select(Model.name, CardVersion.version, CardVersion.sha256)
            .join(CardVersion, CardVersion.model_id == Model.id)
            .where(Model.name.in_(list(existing)))
        )
        versions = {(row[0], row[1]): row[2] for row in session.execute(query)}
    seen_models: set[str] = set(existing)
    for card in plan.cards:
        if card.read is None:
            continue
        stored = versions.get((card.model, card.version))
        if stored == card.sha256:
            card.outcome = CardOutcome.UNCHANGED
            card.reason = "already in the registry with the same content"
        elif stored is not None:
            card.outcome = CardOutcome.REFUSED
            card.reason = (
                f"version {card.version} of {card.model} is already in the registry with "
                "different content; a card version never changes, so send it as a new version"
            )
        elif card.model in seen_models:
            card.outcome, card.reason = CardOutcome.NEW_VERSION, ""
        else:
            card.outcome, card.reason = CardOutcome.NEW_MODEL, ""
            seen_models.add(card.model)
