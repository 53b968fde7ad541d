"""Reading a bundle's cards, in this process or, for large bundles, in worker processes.

Every card is read, checked and put in canonical form by :func:`parse_card`
wherever it runs, so a bundle read by workers gives the same cards, the same
warnings and the same refusal (the first refused card, in the bundle's order)
as one read here.  The workers (:class:`CardReaders`) are started once, when
the first bundle large enough for them comes (at least
:data:`MIN_CARDS_PER_WORKER` cards for each) or when the window asks, by a
thread of their own, and kept for the next ones: forked from a server process
that has the card readers imported already (``forkserver``, safe beside the
window's threads; ``spawn`` where there is none), each reading the sample cards
before its first chunk, so that a bundle pays neither a Python start-up nor the
readers' one-time costs.  Cards go out in chunks and come back compact (canonical JSON, search
text, hash, warnings), the card rebuilt from its canonical JSON here only if
asked for.  While this process checks a bundle, a worker already up reads its
first cards from the file itself (:meth:`CardReaders.read_ahead`); only those
whose bytes hash as the checked bundle's are taken, in order.  A
worker that dies (killed, out of memory) refuses the bundle whole; the
importer's time limit and cancellation are checked while waiting for them;
a bundle left unfinished (refused, cancelled, out of time) stops the workers,
which start afresh for the next one.  Apart from the one that starts them, no
thread is started: the workers are waited on by this process's own calls.
"""

from __future__ import annotations

import gc
import hashlib
import os
import queue
import selectors
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from countersign.errors import ImportCancelled, InputRefused
from countersign.formats.base import CardAttachment, FormatWarning, ReadCard, SourceFormat
from countersign.models.card import ModelCard

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

MIN_CARDS_PER_WORKER = 150
"""A worker is used for every this many cards at most: sending a chunk and rebuilding
its cards here costs a tenth of reading them, and the first bundle also starts the
workers."""

CHUNK_CARDS = 50
"""Cards go to a worker at most this many at a time (fewer for a small bundle): few round
trips, yet the first cards come back soon and the workers finish together."""

CHUNK_BYTES = 48 * 1024
"""A chunk holds cards of about this many bytes (one card at least): small enough for the
pipe to take it at once, so that sending it never waits for the worker to be scheduled."""

STOP_SECONDS = 5.0
"""How long a worker told to stop may take before it is killed."""

_PRELOAD = [
    "countersign.services.importing.workers",
    "countersign.formats.detect",
    "countersign.formats.bundle.reader",
]
"""What the server that forks the workers imports once, so that each worker starts warm."""

MAX_SPARE_WORKERS = 3
"""Workers started unasked (see :func:`spare_cores`) are at most this many: each more
sends this process more cards to rebuild, and the first bundle waits for them to start."""

START_IN_BACKGROUND = True
"""Workers are started by a thread of their own while this process reads the first
cards (starting one takes a few tenths of a second: the server that forks them imports
the card readers first), and get chunks once they are up.  Tests that need the workers
to read turn it off, so that the workers are up before the first card."""

CHUNKS_HELD = 2
"""Chunks a worker holds at once: the one it reads, and the next, waiting in its pipe."""

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
    """A card read by a worker, as it travels back: its canonical JSON stands for the card
    (several times cheaper than pickling the card's objects), with the two of its fields
    that an import plan looks into."""

    canonical_json: str
    search_text: str
    sha256: str
    source_format: SourceFormat
    warnings: list[FormatWarning]
    attachments: list[CardAttachment]
    artifacts: list[dict[str, object]]
    stated_version: str
    stated_risk: str

    def received(self) -> ParsedCard:
        """The card as :func:`parse_card` gives it."""
        return ParsedCard(_ReceivedCard(self), self.canonical_json, self.search_text, self.sha256)


class _ReceivedCard(ReadCard):
    """A card a worker read.  Its :class:`ModelCard` is rebuilt from the canonical JSON
    only when asked for: an import plan needs only its stated version and risk rating,
    which came beside it (rebuilding every card was a tenth of the importing process's
    part of a bundle read with one worker)."""

    def __init__(self, sent: _Sent) -> None:  # the fields are set here, the card when asked
        self._sent = sent
        self._card: ModelCard | None = None
        self.source_format = sent.source_format
        self.warnings = sent.warnings
        self.attachments = sent.attachments
        self.artifacts = sent.artifacts

    @property
    def card(self) -> ModelCard:
        """The card, rebuilt from its canonical JSON when first asked for."""
        if self._card is None:
            self._card = ModelCard.model_validate_json(self._sent.canonical_json)
        return self._card

    @card.setter
    def card(self, card: ModelCard) -> None:
        self._card = card

    @property
    def stated_version(self) -> str:
        """The version the card states ("" when none), as the worker read it."""
        return self._sent.stated_version

    @property
    def stated_risk(self) -> str:
        """The risk rating the card states ("" when none), as the worker read it."""
        return self._sent.stated_risk


@dataclass(frozen=True)
class _Ahead:
    """To a worker: read the cards of the bundle at ``path`` ahead, until told it is
    :data:`_ENOUGH` (or out of cards), then send back what was read."""

    path: str


_ENOUGH = "enough"
"""To a worker reading ahead: the bundle is checked, send back what was read (ignored by
a worker that ran out of cards first and sent them already)."""

_AheadCard = tuple[str, str, str, "_Sent | _Refused"]
"""A card read ahead: its path, its model, the SHA-256 of the bytes read, and the result."""


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while cards are read.

    Reading makes almost no reference cycles (11 objects for 1,000 cards), but
    the collector, run every few hundred allocations, walks the cards read so far
    again and again: an eighth of the reading time.  Reference counting frees
    everything as always; the collector runs again afterwards (if it ran before:
    two readings at once leave it on).  What reading made lives until the import
    lands or is dropped, so it goes straight to the oldest generation, walked
    only by the next full collection, rather than through a young collection of
    every card's objects at once (15-20 ms for 1,000 cards).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.freeze()  # every object tracked now, out of the young generations...
            gc.unfreeze()  # ...and back, into the oldest
            gc.enable()


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
                    read.stated_version,
                    read.stated_risk,
                )
            )
        except InputRefused as refusal:
            parsed.append(_Refused(type(refusal), refusal.file, refusal.field, refusal.reason))
            break
    return parsed


ChunkReader = Callable[[Sequence[CardJob]], list[_Sent | _Refused]]
"""What a worker runs on one chunk: :func:`parse_chunk` (tests pass one that fails)."""


def spare_cores() -> int:
    """How many workers the machine has room for now: the cores this process may run
    on, less what other work keeps busy (the last minute's load average, which counts
    this process too when it was busy), less one for this process; at most
    :data:`MAX_SPARE_WORKERS`.  A busy machine gets none: there, workers only add
    the cost of sending the cards (measured in the README's Performance section)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average: take none
        load = 0.0
    return max(0, min(cores - 1, MAX_SPARE_WORKERS, round(cores - load)))


def worker_count(requested: int, cards: int) -> int:
    """How many workers to start for ``cards`` cards when ``requested`` (0: read here)."""
    if getattr(sys, "frozen", False):
        return 0  # a frozen program cannot start itself as a plain Python worker
    return max(0, min(requested, cards // MIN_CARDS_PER_WORKER))


class CardReaders:
    """Worker processes that read cards, kept from one bundle to the next until closed.

    ``reader`` is what a worker runs on each chunk (tests pass one that fails).
    """

    def __init__(self, count: int, reader: ChunkReader = parse_chunk) -> None:
        self.count = count
        self.reader = reader
        self._workers: list[tuple[BaseProcess, Connection]] = []
        self._owing: dict[Connection, int] = {}
        """Workers that still owe results of the last bundle (chunks read here as well)."""
        self._starting: threading.Thread | None = None
        self._started: queue.SimpleQueue[tuple[BaseProcess, Connection]] = queue.SimpleQueue()
        self._ahead: Connection | None = None
        """The worker reading the next bundle's cards ahead, while this process checks it."""
        self.read_before_checked = 0
        """How many cards of the last bundle read here were read ahead, while it was checked."""

    @property
    def processes(self) -> list[BaseProcess]:
        """The worker processes running now (none before the first bundle or after close);
        waits for those still starting."""
        if self._starting is not None:
            self._starting.join()
        self._arrived()
        return [process for process, _ in self._workers]

    def read(self, jobs: Sequence[CardJob], reading: Reading) -> Generator[ParsedCard, None, None]:
        """The cards of ``jobs`` read by the workers (and this process), yielded in order.

        Raises the first refused card's :class:`InputRefused`, as reading them here
        would; a worker that stopped refuses the bundle, by name.  Left before the
        end, the workers are stopped (they are started again for the next bundle).
        """
        self.start()
        self._settle(reading)
        ahead = self._take_ahead(jobs, reading)
        self.read_before_checked = len(ahead)
        known = [each for _, each in self._workers]
        chunks = _chunks(jobs[len(ahead) :], self.count)
        run = _Run(
            [jobs[: len(ahead)], *chunks] if ahead else chunks, reading, known, self._arrived
        )
        if ahead:
            run.done[0], run.sent = ahead, 1
        left = len(jobs)
        try:
            for parsed in run.cards():
                left -= 1
                if not left:  # chunks read here too: their copies are dropped
                    self._owing = {each: len(held) for each, held in run.busy.items() if held}
                yield parsed
        finally:
            run.ready.close()
            if left:
                self._stop({each for each, held in run.busy.items() if held})

    def read_ahead(self, path: Path, reading: Reading) -> bool:
        """Have a worker read the first cards of the bundle at ``path`` while this process
        checks it (:func:`~countersign.formats.bundle.open_bundle`, when the workers would
        otherwise wait); False when no worker is up yet.

        Then :meth:`read` takes them (those whose path, model and SHA-256 are the checked
        bundle's, in order; any other is read again), or :meth:`end_ahead` drops them, or,
        if the bundle is refused, :meth:`abandon_ahead` stops the workers.
        """
        self._settle(reading)
        self._arrived()
        if not self._workers:
            return False
        connection = self._workers[0][1]
        try:
            connection.send(_Ahead(str(path)))
        except OSError:
            return False  # it has stopped: the bundle's reading will say so
        self._ahead = connection
        return True

    def end_ahead(self, reading: Reading) -> None:
        """Drop the cards read ahead if :meth:`read` did not take them (read here instead)."""
        self._take_ahead([], reading)

    def abandon_ahead(self) -> None:
        """The bundle read ahead was refused (or the reading stopped): stop the workers, the
        one reading ahead at once (they start again for the next bundle)."""
        if self._ahead is not None:
            self._stop(set())

    def _take_ahead(
        self, jobs: Sequence[CardJob], reading: Reading
    ) -> list[ParsedCard | _Sent | _Refused]:
        """The worker's cards read ahead that are the first of ``jobs``: the same path and
        model, and bytes of the same SHA-256 (it read the file itself, before the check).

        Until they have come, the worker still counts as reading ahead: if the time runs
        out or the officer cancels meanwhile, :meth:`abandon_ahead` stops it, so that its
        cards never come as the answer to another question.
        """
        connection = self._ahead
        if connection is None:
            return []
        with suppress(OSError):  # it has stopped: receiving says so
            connection.send(_ENOUGH)
        while not connection.poll(WAIT_SECONDS):
            reading.check()
        read = cast("list[_AheadCard]", _received(connection, reading))
        self._ahead = None
        taken: list[ParsedCard | _Sent | _Refused] = []
        for job, (path, model, digest, result) in zip(jobs, read, strict=False):
            if (path, model) != (job.path, job.model):
                break
            if digest != hashlib.sha256(job.content).hexdigest():
                break
            taken.append(result)
        return taken

    def _settle(self, reading: Reading) -> None:
        """Drop what the workers still owed of the last bundle (chunks read here as well)."""
        owing, self._owing = self._owing, {}
        for connection, count in owing.items():
            for _ in range(count):
                _received(connection, reading)

    def start(self) -> None:
        """Start the workers, in the background (:data:`START_IN_BACKGROUND`) or now;
        nothing if they are up or starting."""
        if self._workers or self._starting is not None:
            return
        if START_IN_BACKGROUND:
            self._starting = threading.Thread(
                target=self._start_all, name="countersign-card-readers", daemon=True
            )
            self._starting.start()
        else:
            self._start_all()

    def _start_all(self) -> None:
        """Start :attr:`count` workers, each handed over (:meth:`_arrived`) once it is up.
        One that cannot be started is not: this process reads its share."""
        import multiprocessing  # here: only large imports need it, and the window starts sooner

        if "forkserver" in multiprocessing.get_all_start_methods():
            context: Any = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
        else:
            context = multiprocessing.get_context("spawn")
        for _ in range(self.count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, self.reader), daemon=True)
            try:
                process.start()
            except (OSError, RuntimeError, ValueError):  # out of processes or memory: read here
                ours.close()
                return
            finally:
                theirs.close()
            self._started.put((process, ours))

    def _arrived(self) -> list[Connection]:
        """The workers up since last asked, now among this reader's workers."""
        arrived: list[Connection] = []
        while True:
            try:
                process, connection = self._started.get_nowait()
            except queue.Empty:
                break
            self._workers.append((process, connection))
            arrived.append(connection)
        if self._starting is not None and not self._starting.is_alive():
            self._starting = None
        return arrived

    def close(self) -> None:
        """Stop the workers (each is told to; one that does not is killed) and wait for them."""
        self._stop(set())

    def _stop(self, busy: set[Connection]) -> None:
        """Stop the workers: those reading a chunk (``busy``) at once, the others when told
        (those still starting once they are up)."""
        if self._starting is not None:
            self._starting.join()
        self._arrived()
        workers, self._workers = self._workers, []
        busy = busy | set(self._owing) | ({self._ahead} if self._ahead is not None else set())
        self._owing, self._ahead = {}, None
        for process, connection in workers:
            if connection in busy:
                process.kill()
            else:
                with suppress(OSError):  # it has stopped already
                    connection.send(None)
        for process, connection in workers:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
            process.close()


class _Ready:
    """Which workers have sent something back, asked after every card this process reads.

    One selector is kept for the bundle where the system has them for pipes (not
    Windows): multiprocessing's ``wait`` makes one per call, which cost this process
    more than the workers' results took to unpickle.
    """

    def __init__(self, kept: bool = os.name == "posix") -> None:
        self._selector = selectors.DefaultSelector() if kept else None
        self._known: set[Connection] = set()

    def among(self, connections: list[Connection], timeout: float) -> list[Connection]:
        """Those of ``connections`` with something to read, waiting up to ``timeout``."""
        if self._selector is None:
            from multiprocessing.connection import wait

            return cast("list[Connection]", wait(connections, timeout))
        for each in connections:
            if each not in self._known:
                self._selector.register(each.fileno(), selectors.EVENT_READ, each)
                self._known.add(each)
        # One known but no longer asked about (it sent everything, or it ended) is left out.
        ready = [key.data for key, _ in self._selector.select(timeout)]
        return [each for each in ready if each in connections]

    def close(self) -> None:
        """Let the selector go (the connections stay open)."""
        if self._selector is not None:
            self._selector.close()


@dataclass
class _Run:
    """One bundle's chunks on their way through the workers, and through this process.

    Rather than wait for a worker, this process reads the next chunk no worker
    has yet, a card at a time, looking after each card for a worker that has
    finished: it takes that worker's cards and gives it the next chunk, so no
    worker waits while this process reads.  When the chunk it needs next is
    still with a worker after as long as reading a chunk here takes (the machine
    is busy), it reads that one too (stopping if the worker's copy comes first).
    So the workers can only make a bundle faster.
    """

    chunks: list[Sequence[CardJob]]
    reading: Reading
    workers: list[Connection]
    arrivals: Callable[[], list[Connection]]
    """Workers up since last asked (they start while this process reads)."""
    busy: dict[Connection, list[int]] = field(default_factory=dict)
    """The chunks each worker holds, in the order it sends them back."""
    done: dict[int, list[ParsedCard | _Sent | _Refused]] = field(default_factory=dict)
    here: set[int] = field(default_factory=set)
    sent: int = 0
    patience: float | None = None
    """How long to wait for a worker's chunk: as long as reading one here took (none read
    here yet: :data:`WAIT_SECONDS`)."""
    ready: _Ready = field(default_factory=_Ready)

    def cards(self) -> Generator[ParsedCard, None, None]:
        """Every card in order, up to the first refused (raised as :class:`InputRefused`)."""
        for number in range(len(self.chunks)):
            for parsed in self.result(number):
                if isinstance(parsed, _Refused):
                    raise parsed.kind(parsed.file, parsed.field, parsed.reason)
                yield parsed if isinstance(parsed, ParsedCard) else parsed.received()

    def result(self, number: int) -> list[ParsedCard | _Sent | _Refused]:
        """The cards of chunk ``number``, once read (here or by a worker)."""
        while number not in self.done:
            self.reading.check()
            self._hand_out()
            if self.sent < len(self.chunks):
                if not self._collect(0):
                    self.sent += 1
                    self._read_here(self.sent - 1)
            elif not self._collect(min(self.patience or WAIT_SECONDS, WAIT_SECONDS)) and (
                number not in self.done
            ):
                self._read_here(number)
        return self.done.pop(number)

    def _hand_out(self) -> None:
        """Give each worker the next chunks nobody has yet, up to :data:`CHUNKS_HELD`
        (the next one waits in its pipe, so it never waits for this process).

        A chunk waits in a worker's pipe only while another is left for this process:
        near the end, one waiting there would be read here too once this process ran
        out (it cannot be taken back), each copy costing a chunk's reading.
        """
        self.workers.extend(self.arrivals())
        for held in range(CHUNKS_HELD):
            for connection in self.workers:
                chunks = self.busy.setdefault(connection, [])
                if len(chunks) > held:
                    continue
                if self.sent == len(self.chunks) or (held and self.sent + 1 == len(self.chunks)):
                    return
                connection.send((self.sent, self.chunks[self.sent]))
                chunks.append(self.sent)
                self.sent += 1

    def _read_here(self, number: int) -> None:
        """Read chunk ``number`` here, a card at a time, keeping the workers busy meanwhile;
        left as soon as a worker's copy of the chunk comes back."""
        start = time.perf_counter()
        parsed: list[ParsedCard | _Sent | _Refused] = []
        for job in self.chunks[number]:
            if number in self.done:
                return  # a worker had it and was quicker after all
            try:
                parsed.append(parse_card(job))
            except InputRefused as refusal:
                parsed.append(_Refused(type(refusal), refusal.file, refusal.field, refusal.reason))
                break
            if self._collect(0) or self.sent < len(self.chunks):
                self._hand_out()
        self.done[number] = parsed
        self.here.add(number)
        self.patience = time.perf_counter() - start

    def _collect(self, timeout: float) -> int:
        """Take what the workers have sent back (waiting up to ``timeout``); how many had."""
        ready = self.ready.among([each for each, held in self.busy.items() if held], timeout)
        for connection in ready:
            number = self.busy[connection].pop(0)
            results = _received(connection, self.reading)
            if number not in self.here:  # else read here already: the copy is dropped
                self.done[number] = list(results)
        return len(ready)


def _chunks(jobs: Sequence[CardJob], workers: int) -> list[Sequence[CardJob]]:
    """``jobs`` cut into chunks of at most :data:`CHUNK_CARDS` cards and about
    :data:`CHUNK_BYTES` bytes, and at least one chunk for each worker."""
    most = max(1, min(CHUNK_CARDS, -(-len(jobs) // workers)))
    chunks: list[Sequence[CardJob]] = []
    start = size = 0
    for end, job in enumerate(jobs):
        if end > start and (end - start >= most or size + len(job.content) > CHUNK_BYTES):
            chunks.append(jobs[start:end])
            start, size = end, 0
        size += len(job.content)
    if start < len(jobs):
        chunks.append(jobs[start:])
    return chunks


def _received(connection: Connection, reading: Reading) -> list[_Sent | _Refused]:
    """What a worker sent back for its chunk; refuses the bundle if the worker stopped."""
    try:
        _number, results = connection.recv()
    except (EOFError, OSError):
        raise InputRefused(
            reading.bundle,
            "",
            "a worker process reading its cards stopped before it had finished "
            "(out of memory, or ended by the system); nothing was imported",
        ) from None
    return results  # type: ignore[no-any-return]


def _serve(connection: Connection, reader: ChunkReader) -> None:
    """In a worker: read each chunk sent, send its cards back, until told to stop."""
    _warm_up()
    received: deque[Any] = deque()
    while True:
        try:
            message = received.popleft() if received else connection.recv()
        except (EOFError, OSError):
            return  # the importer has gone
        if message is None:
            return
        if message == _ENOUGH:
            continue  # it had read every card ahead, and sent them
        if isinstance(message, _Ahead):
            with collector_paused():
                ahead = _read_ahead(Path(message.path), connection, reader)
            connection.send((None, ahead))
            continue
        number, jobs = message
        with collector_paused():
            results = reader(jobs)
        if not _take_what_is_sent(connection, received):
            return
        connection.send((number, results))


def _warm_up() -> int:
    """In a worker, before its first chunk: read the sample cards that ship with
    Countersign (every format), so that what the readers do only once (their imports,
    pydantic's first validation of each part) is not paid by the first bundle's cards
    while the importing process waits for them: a worker that had read nothing yet read
    2 cards ahead of the bundle's check where one warm read 80.  How many were read."""
    from importlib.resources import files

    try:
        samples = files("countersign.resources") / "samples"
        jobs = [
            CardJob(card.name, "", card.read_bytes())
            for folder in samples.iterdir()
            if folder.is_dir()
            for card in folder.iterdir()
            if card.name.endswith((".json", ".md", ".yaml"))
        ]
    except OSError:
        return 0  # not installed with its resources: the first cards pay instead
    with collector_paused():
        return len(parse_chunk(jobs))


def _take_what_is_sent(connection: Connection, received: deque[Any]) -> bool:
    """In a worker, before sending cards back: take every message the importer is sending
    (False if it has gone).

    The importer sends the next chunk while this worker reads one (:data:`CHUNKS_HELD`),
    and takes cards back only between its sends: a chunk larger than the pipe holds
    (a large card) waits for this worker to read it, so this worker reads it before it
    sends, or each would wait for the other (two large cards hung a bundle until its time
    limit).  The importer sends no further chunk until it has taken these cards back.
    """
    try:
        while connection.poll():
            received.append(connection.recv())
    except (EOFError, OSError):
        return False
    return True


def _read_ahead(path: Path, connection: Connection, reader: ChunkReader) -> list[_AheadCard]:
    """In a worker: read the cards of the bundle at ``path`` in order, while the importer
    checks the bundle, until it asks for them (a message waits) or one is refused."""
    from countersign.formats.bundle.reader import cards_ahead

    read: list[_AheadCard] = []
    for card_path, model, content in cards_ahead(path):
        if connection.poll():
            break
        (result,) = reader([CardJob(card_path, model, content)])
        read.append((card_path, model, hashlib.sha256(content).hexdigest(), result))
        if isinstance(result, _Refused):
            break
    return read
