"""Reading a bundle's cards, in this process or, for large bundles, in worker processes.

Every card is read, checked and put in canonical form by :func:`parse_card`
wherever it runs, so a bundle read by workers gives the same cards, the same
warnings and the same refusal (the first refused card, in the bundle's order)
as one read here.  Workers are started with ``spawn`` (safe beside the
window's threads), only when the bundle has at least
:data:`MIN_CARDS_PER_WORKER` cards for each of them, and live for one bundle.
A worker that dies (killed, out of memory) refuses the bundle whole; the
importer's time limit and cancellation are checked while waiting for them.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from countersign.errors import ImportCancelled, InputRefused
from countersign.formats.base import CardAttachment, FormatWarning, ReadCard, SourceFormat
from countersign.models.card import ModelCard

if TYPE_CHECKING:
    from concurrent.futures import Future

MIN_CARDS_PER_WORKER = 150
"""A worker is started for every this many cards at most: starting one costs a few
hundred milliseconds (a Python interpreter and the card readers), reading a card a
fraction of one."""

CHUNKS_PER_WORKER = 4
"""Cards go to the workers in this many chunks each: fewer round trips, yet balanced."""

WAIT_SECONDS = 0.25
"""How often the time limit and cancellation are checked while the workers read."""


@dataclass(frozen=True)
class CardJob:
    """One card of a bundle to read: its path in the bundle, its model, its bytes."""

    path: str
    model: str
    content: bytes


@dataclass(frozen=True)
class ParsedCard:
    """A card read, checked and in canonical form, with its search text and hash."""

    read: ReadCard
    canonical_json: str
    search_text: str
    sha256: str


@dataclass(frozen=True)
class _Sent:
    """A card read by a worker, as it travels back: its canonical JSON stands for the card,
    which is rebuilt from it here (several times cheaper than unpickling the card's objects)."""

    canonical_json: str
    search_text: str
    sha256: str
    source_format: SourceFormat
    warnings: list[FormatWarning]
    attachments: list[CardAttachment]
    artifacts: list[dict[str, object]]

    def received(self) -> ParsedCard:
        """The card as :func:`parse_card` gives it."""
        card = ModelCard.model_validate_json(self.canonical_json)
        read = ReadCard(card, self.source_format, self.warnings, self.attachments, self.artifacts)
        return ParsedCard(read, self.canonical_json, self.search_text, self.sha256)


@dataclass(frozen=True)
class _Refused:
    """A refusal carried back from a worker (exceptions with several fields do not pickle)."""

    kind: type[InputRefused]
    file: str
    field: str
    reason: str


@dataclass(frozen=True)
class Reading:
    """How one bundle is read by workers.

    ``bundle`` names it in a refusal; ``workers`` is how many to start;
    ``on_time`` (the time limit) and ``cancelled`` (the officer's Cancel) are
    checked while waiting for them.
    """

    bundle: str
    workers: int
    on_time: Callable[[], None]
    cancelled: Callable[[], bool]

    def check(self) -> None:
        """Raise if the time is up or the officer cancelled."""
        self.on_time()
        if self.cancelled():
            raise ImportCancelled("import cancelled; nothing was written")


def parse_card(job: CardJob) -> ParsedCard:
    """Read ``job``'s card onto the canonical form; raises :class:`InputRefused` if refused."""
    from countersign.formats.detect import read_card  # on first use: the window starts without it

    read = read_card(job.content, job.path, model=job.model)
    canonical, search_text = read.card.canonical_forms()
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return ParsedCard(read, canonical, search_text, digest)


def parse_chunk(jobs: Sequence[CardJob]) -> list[_Sent | _Refused]:
    """In a worker: read ``jobs`` in order, stopping after the first refused card."""
    parsed: list[_Sent | _Refused] = []
    for job in jobs:
        try:
            card = parse_card(job)
            read = card.read
            parsed.append(
                _Sent(
                    card.canonical_json,
                    card.search_text,
                    card.sha256,
                    read.source_format,
                    read.warnings,
                    read.attachments,
                    read.artifacts,
                )
            )
        except InputRefused as refusal:
            parsed.append(_Refused(type(refusal), refusal.file, refusal.field, refusal.reason))
            break
    return parsed


ChunkReader = Callable[[Sequence[CardJob]], list[_Sent | _Refused]]
"""What a worker runs on one chunk: :func:`parse_chunk` (tests pass one that fails)."""


def worker_count(requested: int, cards: int) -> int:
    """How many workers to start for ``cards`` cards when ``requested`` (0: read here)."""
    if getattr(sys, "frozen", False):
        return 0  # a frozen program cannot start itself as a plain Python worker
    return max(0, min(requested, cards // MIN_CARDS_PER_WORKER))


def parse_in_workers(
    jobs: Sequence[CardJob], reading: Reading, reader: ChunkReader = parse_chunk
) -> Generator[ParsedCard, None, None]:
    """The cards of ``jobs`` read by ``reading.workers`` processes, yielded in order.

    Raises the first refused card's :class:`InputRefused`, as reading them here
    would; a worker that stopped refuses the bundle, by name.
    """
    import multiprocessing  # here: only large imports need them, and the window starts sooner
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, -(-len(jobs) // (reading.workers * CHUNKS_PER_WORKER)))
    chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(reading.workers, mp_context=context)
    try:
        futures = [executor.submit(reader, chunk) for chunk in chunks]
        for future in futures:
            for parsed in _chunk_result(future, reading):
                if isinstance(parsed, _Refused):
                    raise parsed.kind(parsed.file, parsed.field, parsed.reason)
                yield parsed.received()
    finally:
        # Cards not yet read are dropped; a chunk being read ends on its own (bounded).
        executor.shutdown(wait=False, cancel_futures=True)


def _chunk_result(
    future: Future[list[_Sent | _Refused]], reading: Reading
) -> list[_Sent | _Refused]:
    from concurrent.futures import TimeoutError as WaitTimedOut
    from concurrent.futures.process import BrokenProcessPool

    while True:
        reading.check()
        try:
            return future.result(timeout=WAIT_SECONDS)
        except WaitTimedOut:
            continue
        except BrokenProcessPool:
            raise InputRefused(
                reading.bundle,
                "",
                "a worker process reading its cards stopped before it had finished "
                "(out of memory, or ended by the system); nothing was imported",
            ) from None
