"""Reading a bundle's cards in worker processes: the same cards and the same refusals.

The workers' threshold is lowered so that a bundle of a dozen cards is read by
two spawned processes; every test compares with the same bundle read in this
process (``workers=0``), the way every import was read before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from importlib.resources import files
from pathlib import Path

import pytest

from countersign.errors import ImportCancelled, InputRefused
from countersign.formats import bundle as bundle_format
from countersign.services.importing import workers
from countersign.services.importing.importer import Importer
from countersign.services.importing.plan import ImportPlan
from countersign.services.importing.workers import CardJob, CardReaders, Reading
from countersign.services.storage.database import Database
from tests.helpers import bundles
from tests.helpers.processes import gone
from tests.helpers.registry import audit_actions, native_card, row_counts
from tests.services.importing.test_import_refusals import BILLION_LAUGHS_CARD

CARDS = 12


@pytest.fixture(autouse=True)
def _small_bundles_get_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_CARDS_PER_WORKER", 2)
    # Up before the first card, so that they read a dozen cards (see the test of the
    # background start below).
    monkeypatch.setattr(workers, "START_IN_BACKGROUND", False)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    yield database
    database.dispose()


def _bundle(
    folder: Path,
    hostile: dict[int, tuple[str, bytes]] | None = None,
    versions: dict[int, str] | None = None,
) -> Path:
    """A bundle of :data:`CARDS` native cards; ``hostile`` puts (path, bytes) at some places,
    ``versions`` other version names in the manifest."""
    files: list[tuple[str, bytes]] = []
    entries = []
    for index in range(CARDS):
        path, content = (hostile or {}).get(
            index,
            (
                f"model-{index}.json",
                native_card(f"model-{index}", "1.0").model_dump_json().encode(),
            ),
        )
        files.append((path, content))
        entries.append(
            {
                "path": path,
                "model": f"model-{index}",
                "version": (versions or {}).get(index, "1.0"),
                "sha256": bundles.sha256_hex(content),
            }
        )
    manifest = {**bundles.good_manifest(), "cards": entries, "attachments": []}
    return bundles.write(folder, "incoming.cardbundle", bundles.bundle_of(manifest, files))


def _cards_of(plan: ImportPlan) -> list[tuple[object, ...]]:
    return [
        (
            card.file,
            card.model,
            card.sha256,
            card.canonical_json,
            card.search_text,
            card.read.card if card.read else None,
            card.read.source_format if card.read else None,
            card.warnings,
        )
        for card in plan.cards
    ]


def test_workers_read_the_same_cards_as_this_process(db: Database, tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    here = Importer(db, workers=0).plan(path)
    by_workers = Importer(db, workers=2).plan(path)
    assert not here.refused and not by_workers.refused
    assert len(by_workers.cards) == CARDS
    assert _cards_of(by_workers) == _cards_of(here)
    report = Importer(db, workers=2).apply(by_workers)
    assert report.landed
    assert row_counts(Path(db.location))["card_versions"] == CARDS


def test_what_a_plan_takes_from_a_workers_card_is_what_the_card_states(
    db: Database, tmp_path: Path
) -> None:
    """A worker's card is rebuilt only when asked for: the manifest's version check and
    a new model's risk tier use the version and rating sent beside it."""
    rated = {
        index: (
            f"model-{index}.json",
            native_card(f"model-{index}", "1.0", risk_rating="low").model_dump_json().encode(),
        )
        for index in (2, 9)
    }
    path = _bundle(tmp_path, rated, versions={5: "2.0"})
    by_workers = Importer(db, workers=2).plan(path)
    assert [str(w) for w in by_workers.cards[5].warnings] == [
        "model_details.version: the card says version '1.0', the manifest '2.0'; "
        "the manifest's is used"
    ]
    assert Importer(db, workers=2).apply(by_workers).landed
    with sqlite3.connect(db.location) as connection:
        tiers = dict(connection.execute("SELECT name, risk_tier FROM models"))
    assert tiers == {f"model-{i}": "low" if i in rated else "high" for i in range(CARDS)}
    assert _cards_of(by_workers) == _cards_of(Importer(db, workers=0).plan(path))


@pytest.mark.parametrize("count", [0, 2])
def test_a_hostile_card_is_refused_by_name_and_nothing_lands(
    count: int, db: Database, tmp_path: Path
) -> None:
    path = _bundle(tmp_path, {7: ("laughs.md", BILLION_LAUGHS_CARD.encode())})
    before = row_counts(Path(db.location))
    report = Importer(db, workers=count).import_file(path)
    assert not report.landed
    assert report.plan.reason().startswith("incoming.cardbundle: laughs.md: ")
    assert "alias bomb" in report.plan.reason()
    assert row_counts(Path(db.location)) == {**before, "audit_events": before["audit_events"] + 1}
    assert audit_actions(Path(db.location))[-1] == "import.refused"


def test_the_first_refusal_in_the_bundles_order_wins_with_workers_too(
    db: Database, tmp_path: Path
) -> None:
    # Card 9 is no card, and the manifest gives card 3 a version that climbs out of a folder:
    # card 3 comes first, though a worker may have read card 9 before it is checked.
    path = _bundle(tmp_path, {9: ("list.json", b"[1, 2, 3]")}, {3: "../1.0"})
    reasons = {count: Importer(db, workers=count).plan(path).reason() for count in (0, 2)}
    assert reasons[0] == reasons[2]
    assert "cards[3].version" in reasons[2]
    only_card_9 = _bundle(tmp_path, {9: ("list.json", b"[1, 2, 3]")})
    reasons = {count: Importer(db, workers=count).plan(only_card_9).reason() for count in (0, 2)}
    assert reasons[0] == reasons[2]
    assert "list.json" in reasons[2] and "not a model card" in reasons[2]


def _crash(_jobs: Sequence[CardJob]) -> list[object]:
    """In a worker: die the way a process killed for its memory does."""
    os._exit(9)


def test_a_worker_that_dies_refuses_the_bundle_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # However slow the machine, this process waits for the workers rather than read their
    # chunks itself (which it does when they are slower than it is).
    monkeypatch.setattr(workers, "WAIT_SECONDS", 60.0)
    jobs = [CardJob(f"c{i}.json", f"m{i}", b"{}") for i in range(4)]
    reading = Reading("incoming.cardbundle", 2, lambda: None, lambda: False)
    readers = CardReaders(2, _crash)  # type: ignore[arg-type]
    with pytest.raises(InputRefused) as refusal:
        list(readers.read(jobs, reading))
    assert str(refusal.value).startswith("incoming.cardbundle: a worker process")
    assert "nothing was imported" in str(refusal.value)
    assert readers.processes == []  # the other worker was stopped too


def test_workers_are_kept_for_the_next_bundle_and_stopped_on_close(
    db: Database, tmp_path: Path
) -> None:
    path = _bundle(tmp_path)
    importer = Importer(db, workers=2)
    first = importer.plan(path)
    readers = importer._readers
    assert readers is not None
    pids = [process.pid for process in readers.processes]
    assert len(pids) == 2 and all(pid is not None and not gone(pid) for pid in pids)
    second = importer.plan(path)
    assert [process.pid for process in readers.processes] == pids  # no new processes
    assert _cards_of(second) == _cards_of(first)
    importer.close()
    assert readers.processes == []
    assert all(pid is not None and gone(pid) for pid in pids)
    # An importer dropped without closing stops its workers too.
    dropped = Importer(db, workers=2)
    dropped.plan(path)
    assert dropped._readers is not None
    pids = [process.pid for process in dropped._readers.processes]
    del dropped
    assert all(pid is not None and gone(pid) for pid in pids)


def test_a_refused_bundle_stops_the_workers_and_the_next_one_starts_them_again(
    db: Database, tmp_path: Path
) -> None:
    importer = Importer(db, workers=2)
    refused = importer.plan(_bundle(tmp_path, {7: ("laughs.md", BILLION_LAUGHS_CARD.encode())}))
    assert "alias bomb" in refused.reason()
    assert importer._readers is not None and importer._readers.processes == []
    good = tmp_path / "good"
    good.mkdir()
    plan = importer.plan(_bundle(good))
    assert not plan.refused and len(plan.cards) == CARDS
    assert len(importer._readers.processes) == 2
    importer.close()


def test_workers_start_only_for_bundles_large_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_CARDS_PER_WORKER", 150)
    assert workers.worker_count(4, 1000) == 4
    assert workers.worker_count(4, 320) == 2
    assert workers.worker_count(2, 149) == 0
    assert workers.worker_count(0, 5000) == 0


@pytest.mark.parametrize(
    ("cores", "load", "spare"),
    [(2, 0.1, 1), (2, 1.0, 1), (2, 1.7, 0), (2, 9.0, 0), (1, 0.0, 0), (8, 0.5, 3), (8, 6.2, 2)],
)
def test_workers_unasked_take_the_cores_the_machine_has_spare(
    cores: int, load: float, spare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert workers.spare_cores() == spare


def test_a_machine_without_a_load_average_counts_its_cores_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable() -> tuple[float, float, float]:
        raise OSError("no load average here")

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert workers.spare_cores() == 3


def test_an_importer_unasked_reads_with_the_spare_cores_and_keeps_its_workers(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from countersign.services.importing import importer as importer_module

    spare = [2]
    monkeypatch.setattr(importer_module, "spare_cores", lambda: spare[0])
    path = _bundle(tmp_path)
    importer = Importer(db)  # as the workstation sets it up
    here = Importer(db, workers=0).plan(path)
    assert _cards_of(importer.plan(path)) == _cards_of(here)
    readers = importer._readers
    assert readers is not None
    pids = [process.pid for process in readers.processes]
    assert len(pids) == 2
    spare[0] = 0  # the machine got busy: this bundle is read here, the workers wait
    assert _cards_of(importer.plan(path)) == _cards_of(here)
    spare[0] = 1  # room again: the workers started first are used, not started anew
    assert _cards_of(importer.plan(path)) == _cards_of(here)
    assert importer._readers is readers
    assert [process.pid for process in readers.processes] == pids
    importer.close()
    assert all(pid is not None and gone(pid) for pid in pids)


def test_workers_start_while_this_process_reads_and_read_the_next_bundles(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "START_IN_BACKGROUND", True)
    path = _bundle(tmp_path)
    here = Importer(db, workers=0).plan(path)
    importer = Importer(db, workers=2)
    # The first bundle does not wait for them: this process reads what they cannot yet.
    assert _cards_of(importer.plan(path)) == _cards_of(here)
    importer.wait_for_workers()
    readers = importer._readers
    assert readers is not None and readers._starting is None  # up, none still starting
    pids = [process.pid for process in readers.processes]
    assert len(pids) == 2
    assert _cards_of(importer.plan(path)) == _cards_of(here)
    assert [process.pid for process in readers.processes] == pids
    importer.close()
    assert all(pid is not None and gone(pid) for pid in pids)


def test_workers_that_cannot_start_leave_the_cards_to_this_process(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from multiprocessing.process import BaseProcess

    def out_of_processes(_process: BaseProcess) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(BaseProcess, "start", out_of_processes)
    path = _bundle(tmp_path)
    here = Importer(db, workers=0).plan(path)
    for background in (False, True):
        monkeypatch.setattr(workers, "START_IN_BACKGROUND", background)
        importer = Importer(db, workers=2)
        assert _cards_of(importer.plan(path)) == _cards_of(here)
        assert importer._readers is not None and importer._readers.processes == []
        importer.close()


def test_this_process_reads_beside_a_worker_handed_chunk_after_chunk(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of two cards: the worker finishes many while this process reads others.
    monkeypatch.setattr(workers, "CHUNK_CARDS", 2)
    path = _bundle(tmp_path)
    here = Importer(db, workers=0).plan(path)
    importer = Importer(db, workers=1)
    for _ in range(3):
        assert _cards_of(importer.plan(path)) == _cards_of(here)
    importer.close()


@pytest.mark.parametrize("hostile", [False, True])
def test_reading_pauses_the_cyclic_collector_and_runs_it_again_after(
    hostile: bool, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from countersign.services.importing import importer as importer_module

    running: list[bool] = []

    def parse_noting(job: CardJob) -> workers.ParsedCard:
        running.append(gc.isenabled())
        return workers.parse_card(job)

    monkeypatch.setattr(importer_module, "parse_card", parse_noting)
    cards = {7: ("laughs.md", BILLION_LAUGHS_CARD.encode())} if hostile else None
    plan = Importer(db, workers=0).plan(_bundle(tmp_path, cards))
    assert plan.refused == hostile
    assert running and not any(running)
    assert gc.isenabled()


def test_the_cards_read_go_to_the_oldest_generation_not_through_a_young_collection(
    db: Database, tmp_path: Path
) -> None:
    # They live until the import lands: a young collection would walk them all once.
    plan = Importer(db, workers=0).plan(_bundle(tmp_path))
    read = plan.cards[0].read
    assert read is not None and gc.is_tracked(read.card)
    assert any(each is read.card for each in gc.get_objects(generation=2))


def _stuck(_jobs: Sequence[CardJob]) -> list[object]:
    """In a worker: a worker that gets no time on a busy machine."""
    time.sleep(600)
    return []


def test_chunks_a_stuck_worker_has_are_read_here_and_the_worker_is_stopped_on_close() -> None:
    jobs = [
        CardJob(f"m{i}.json", f"m{i}", native_card(f"m{i}", "1.0").model_dump_json().encode())
        for i in range(6)
    ]
    readers = CardReaders(1, _stuck)  # type: ignore[arg-type]
    reading = Reading("incoming.cardbundle", 1, lambda: None, lambda: False)
    cards = list(readers.read(jobs, reading))
    assert [card.canonical_json for card in cards] == [
        workers.parse_card(job).canonical_json for job in jobs
    ]
    (process,) = readers.processes
    assert process.is_alive()  # still "reading" the chunk read here as well
    pid = process.pid
    readers.close()
    assert pid is not None and gone(pid)


# --- reading ahead, while the bundle is checked ------------------------------


def _checked_once_read_ahead(
    monkeypatch: pytest.MonkeyPatch,
    importer: Importer,
    then: Callable[[Path], object] | None = None,
) -> None:
    """The next bundle's check waits until the worker reading ahead has read every card it
    could (and sent them back); ``then`` runs before the check (it may change the file).
    The checks after it are as always."""
    check = bundle_format.open_bundle

    def open_bundle(path: Path) -> object:
        monkeypatch.setattr(bundle_format, "open_bundle", check)
        readers = importer._readers
        assert readers is not None and readers._ahead is not None, "no worker reads ahead"
        assert readers._ahead.poll(60), "the worker reading ahead never finished"
        if then is not None:
            then(path)
        return check(path)

    monkeypatch.setattr(bundle_format, "open_bundle", open_bundle)


def _worker_up(db: Database, path: Path) -> tuple[Importer, list[int | None]]:
    """An importer whose one worker is up and kept (it read ``path``), and its pid."""
    importer = Importer(db, workers=1)
    importer.plan(path)
    assert importer._readers is not None
    return importer, [process.pid for process in importer._readers.processes]


def test_a_worker_reads_the_first_cards_while_the_bundle_is_checked(
    monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    path = _bundle(tmp_path)
    importer, _ = _worker_up(db, path)
    _checked_once_read_ahead(monkeypatch, importer)
    plan = importer.plan(path)
    assert importer._readers is not None and importer._readers.read_before_checked == CARDS
    assert _cards_of(plan) == _cards_of(Importer(db, workers=0).plan(path))
    importer.close()


def test_cards_read_ahead_from_a_file_changed_before_its_check_are_read_again(
    monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    """The worker reads the file itself: only its cards whose bytes hash as the checked
    bundle's are taken, in order, so a file swapped between the two reads is read as checked."""
    path = _bundle(tmp_path)
    changed = native_card("model-5", "1.0", risk_rating="low").model_dump_json().encode()
    importer, _ = _worker_up(db, path)
    _checked_once_read_ahead(
        monkeypatch, importer, lambda _path: _bundle(tmp_path, {5: ("model-5.json", changed)})
    )
    plan = importer.plan(path)
    assert importer._readers is not None and importer._readers.read_before_checked == 5
    assert _cards_of(plan) == _cards_of(Importer(db, workers=0).plan(path))
    assert plan.cards[5].read is not None and plan.cards[5].read.stated_risk == "low"
    importer.close()


def test_a_bundle_refused_by_its_check_while_read_ahead_is_refused_as_here(
    monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    path = _bundle(tmp_path)
    importer, (worker,) = _worker_up(db, path)
    _checked_once_read_ahead(
        monkeypatch, importer, lambda _path: path.write_bytes(path.read_bytes()[:2000])
    )
    refused = importer.plan(path)
    assert refused.refused
    assert refused.reason() == Importer(db, workers=0).plan(path).reason()
    assert "truncated or damaged" in refused.reason()
    assert worker is not None and gone(worker)  # stopped with what it had read
    good = _bundle(tmp_path)
    assert _cards_of(importer.plan(good)) == _cards_of(Importer(db, workers=0).plan(good))
    importer.close()


def test_a_card_refused_while_read_ahead_is_refused_as_here(
    monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    importer, _ = _worker_up(db, _bundle(tmp_path))
    path = _bundle(tmp_path, {4: ("laughs.md", BILLION_LAUGHS_CARD.encode())})
    _checked_once_read_ahead(monkeypatch, importer)
    refused = importer.plan(path)
    assert importer._readers is not None and importer._readers.read_before_checked == 5
    assert refused.refused and "laughs.md" in refused.reason()
    assert refused.reason() == Importer(db, workers=0).plan(path).reason()
    importer.close()


def test_a_bundle_too_small_for_the_workers_drops_what_was_read_ahead(
    monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    path = _bundle(tmp_path)
    importer, pids = _worker_up(db, path)
    _checked_once_read_ahead(monkeypatch, importer)
    monkeypatch.setattr(workers, "MIN_CARDS_PER_WORKER", CARDS + 1)  # read here, then
    plan = importer.plan(path)
    assert _cards_of(plan) == _cards_of(Importer(db, workers=0).plan(path))
    assert importer._readers is not None
    assert [process.pid for process in importer._readers.processes] == pids  # kept
    monkeypatch.setattr(workers, "MIN_CARDS_PER_WORKER", 2)
    assert _cards_of(importer.plan(path)) == _cards_of(plan)  # and reading the next one
    assert [process.pid for process in importer._readers.processes] == pids
    importer.close()


@pytest.mark.parametrize("kept", [True, False], ids=["one selector kept", "wait each time"])
def test_only_the_workers_asked_about_are_found_ready(kept: bool) -> None:
    first, first_worker = multiprocessing.Pipe()
    second, second_worker = multiprocessing.Pipe()
    ready = workers._Ready(kept)
    try:
        assert ready.among([first, second], 0) == []
        second_worker.send((0, []))
        assert ready.among([first, second], 0) == [second]
        assert ready.among([first], 0) == []  # known, ready, but not asked about
        first_worker.close()  # a worker that ended: its end of the pipe reads as ready
        assert ready.among([first], 0) == [first]
    finally:
        ready.close()
        for end in (first, first_worker, second, second_worker):
            end.close()


def test_two_large_cards_handed_out_at_once_do_not_hang_the_bundle(
    db: Database, tmp_path: Path
) -> None:
    """A chunk larger than the pipe holds waits for its worker to read it, while the
    worker sent its cards back: each waited for the other until the time limit."""
    large = {}
    for index in (0, 1):  # the first two chunks, both handed to the worker at once
        card = native_card(f"model-{index}", "1.0")
        card.model_details.summary = " ".join(f"word{n}" for n in range(150_000))
        large[index] = (f"model-{index}.json", card.model_dump_json().encode())
    path = _bundle(tmp_path, large)
    assert len(large[0][1]) > 1_000_000  # several times what a pipe holds
    importer = Importer(db, workers=1, read_seconds=30)
    plan = importer.plan(path)
    assert not plan.refused, plan.reason()
    assert _cards_of(plan) == _cards_of(Importer(db, workers=0).plan(path))
    importer.close()


def _slow(jobs: Sequence[CardJob]) -> list[object]:
    """In a worker: read as usual, a second a card."""
    time.sleep(1)
    return workers.parse_chunk(jobs)  # type: ignore[return-value]


def test_cards_read_ahead_of_a_cancelled_reading_never_answer_the_next(tmp_path: Path) -> None:
    """Cancelled while the worker still reads ahead, the worker is stopped: its cards
    would otherwise come back as the answer to the next bundle's first chunk."""
    path = _bundle(tmp_path)
    jobs = [
        CardJob(
            f"model-{i}.json",
            f"model-{i}",
            native_card(f"model-{i}", "1.0").model_dump_json().encode(),
        )
        for i in range(CARDS)
    ]
    readers = CardReaders(1, _slow)  # type: ignore[arg-type]
    try:
        cancelled = Reading(path.name, 1, lambda: None, lambda: True)
        list(readers.read([], cancelled))  # the worker starts
        assert readers.read_ahead(path, cancelled)
        with pytest.raises(ImportCancelled):
            list(readers.read(jobs, cancelled))
        readers.abandon_ahead()  # as the importer does when the reading stops
        assert readers.processes == []
        readers.reader = workers.parse_chunk  # the next workers read at the usual pace
        cards = list(readers.read(jobs, Reading(path.name, 1, lambda: None, lambda: False)))
        assert [card.sha256 for card in cards] == [workers.parse_card(j).sha256 for j in jobs]
    finally:
        readers.close()


@pytest.mark.parametrize("count", [0, 1])
def test_workers_started_before_a_bundle_read_its_first_cards_ahead(
    count: int, monkeypatch: pytest.MonkeyPatch, db: Database, tmp_path: Path
) -> None:
    """Started while the officer chooses files, a worker is up for the first bundle."""
    path = _bundle(tmp_path)
    importer = Importer(db, workers=count)
    importer.start_workers()
    if not count:
        assert importer._readers is None  # none asked for: nothing started
        return
    assert importer._readers is not None and len(importer._readers.processes) == 1
    _checked_once_read_ahead(monkeypatch, importer)
    plan = importer.plan(path)
    assert importer._readers.read_before_checked == CARDS
    assert _cards_of(plan) == _cards_of(Importer(db, workers=0).plan(path))
    importer.close()
    assert importer._readers.processes == []


class _Pipe:
    """A worker's end as the run sees it: what was sent to it."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, message: tuple[int, object]) -> None:
        self.sent.append(message[0])


@pytest.mark.parametrize(("chunks", "queued"), [(4, [0, 1]), (3, [0, 1]), (2, [0]), (1, [0])])
def test_a_chunk_waits_in_a_workers_pipe_only_while_another_is_left_for_this_process(
    chunks: int, queued: list[int]
) -> None:
    pipe = _Pipe()
    jobs: list[Sequence[CardJob]] = [[CardJob(f"c{i}.json", f"m{i}", b"{}")] for i in range(chunks)]
    reading = Reading("incoming.cardbundle", 1, lambda: None, lambda: False)
    run = workers._Run(jobs, reading, [pipe], list)  # type: ignore[list-item]
    run._hand_out()
    assert pipe.sent == queued
    run.ready.close()


def test_a_worker_warms_up_on_every_sample_card_before_its_first_chunk() -> None:
    """Every sample card that ships is read (none refused), so every reader is warm."""
    samples = Path(str(files("countersign.resources") / "samples"))
    cards = [p for p in samples.glob("*/*") if p.suffix in (".json", ".md", ".yaml")]
    formats = {
        workers.parse_card(CardJob(p.name, "", p.read_bytes())).read.source_format for p in cards
    }
    assert len(formats) >= 3  # native JSON, Hugging Face, YAML at least
    sent = workers.parse_chunk([CardJob(p.name, "", p.read_bytes()) for p in cards])
    assert not [each for each in sent if not hasattr(each, "canonical_json")]  # none refused
    assert workers._warm_up() == len(cards)


def test_a_pipe_named_as_a_bundle_is_refused_as_here_while_a_worker_is_up(
    db: Database, tmp_path: Path
) -> None:
    """Reading ahead never waits on something that is no file (a pipe would block its
    reader until a writer comes); the check refuses it, and the next bundle reads."""
    good = _bundle(tmp_path)
    importer, _ = _worker_up(db, good)
    pipe = tmp_path / "waiting.cardbundle"
    os.mkfifo(pipe)
    refused = importer.plan(pipe)
    assert refused.refused and "is not a file" in refused.reason()
    assert refused.reason() == Importer(db, workers=0).plan(pipe).reason()
    assert _cards_of(importer.plan(good)) == _cards_of(Importer(db, workers=0).plan(good))
    importer.close()
