"""Importing a 1,000-card bundle, against a raw sqlite3 executemany of the same rows.

    python -m benchmarks.import_bundle [--quick] [--repeat R] [--json FILE] [--workers N ...]

The bundle lands in a copy of the scale registry (10,000 models / 100,000 card
versions; ``--quick``: the small one), so the indexes and the search index are
the size an officer's registry grows to.  Figures: the whole import (read,
check, parse every card, write), its write phase alone, and full-text
indexing of the 1,000 cards into that registry's index, each with the raw
``executemany`` of the same rows into a bare table as the limit.  With
``--workers auto 0 1 2 4`` the whole import is also measured with the cards read by
that many worker processes (0: in this process; auto, the default: as the
workstation reads them, with as many workers as the machine has spare cores).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cards import generated_cards
from benchmarks.figures import Figure, print_table
from countersign.formats.bundle import create_bundle
from countersign.services.importing.importer import Importer
from countersign.services.importing.workers import spare_cores, worker_count
from countersign.services.storage import dialect
from countersign.services.workstation import ServiceOptions, open_services

BUNDLE_CARDS = 1000
QUICK_BUNDLE_CARDS = 200
RAW_SAMPLES = 3
"""Raw inserts measured in each run (the limit is their median over all runs)."""


def _raw_insert(folder: Path, cards: list[tuple[str, bytes]]) -> float:
    path = folder / f"raw-{time.perf_counter_ns()}.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    # The registry's own settings (WAL, synchronous=NORMAL): no flush to disk at commit,
    # so the limit does not wait on the disk the registry's import does not wait on.
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(
        "CREATE TABLE card_versions (id INTEGER PRIMARY KEY, model TEXT, version TEXT, "
        "canonical_json TEXT, sha256 TEXT, original BLOB, original_name TEXT)"
    )
    rows = [
        (name, "1", data.decode(), hashlib.sha256(data).hexdigest(), data, name)
        for name, data in cards
    ]
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO card_versions (model, version, canonical_json, sha256, original, "
        "original_name) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    path.unlink()
    return elapsed


def _bundle(folder: Path, count: int, run: int) -> Path:
    """A bundle of ``count`` new cards (model names unique to this run)."""
    cards_dir = folder / f"cards-{run}"
    cards_dir.mkdir()
    for name, data in generated_cards(count, seed=100 + run):
        text = data.decode().replace("bench:", f"bench-run{run}:")
        (cards_dir / name).write_text(text, encoding="utf-8")
    bundle = folder / f"bench-{run}.cardbundle"
    create_bundle(cards_dir, bundle, "Bench Team", producer="benchmark", version="1")
    return bundle


def _import(importer: Importer, bundle: Path) -> tuple[float, float, float, float]:
    """Seconds for the whole import, its write phase, the checkpoint after it (run in
    the background: waited for here, outside the import's timing, so that the next
    figure does not share the disk with it), and indexing its text alone."""
    start = time.perf_counter()
    plan = importer.plan(bundle)
    planned = time.perf_counter()
    report = importer.apply(plan)
    landed = time.perf_counter()
    if not report.landed:
        raise SystemExit(f"benchmark bundle was refused: {report.plan.reason()}")
    importer.database.settle()
    checkpointed = time.perf_counter() - landed
    # The first bundle started the workers in the background; an officer's next import
    # comes long after they are up, the next run here at once (the first run, the
    # maximum, still pays for starting them).
    importer.wait_for_workers()
    # Indexing alone, into the same (large) index, in a transaction rolled back.
    rows = [
        dialect.SearchRow(10_000_000 + i, c.model, c.version, plan.team, c.search_text)
        for i, c in enumerate(plan.cards)
    ]
    with importer.database.engine.connect() as connection:
        index_start = time.perf_counter()
        dialect.index_card_versions(connection, rows)
        indexed = time.perf_counter() - index_start
        connection.rollback()
    return landed - start, landed - planned, checkpointed, indexed


def _label(workers: int | None) -> str:
    """What the figure of an import with ``workers`` adds to its name (None: the importer
    as the workstation sets it up, the headline figure)."""
    if workers is None:
        return ""
    if not workers:
        return ", read in-process"
    return f", cards read by {workers} worker process{'es' if workers != 1 else ''}"


def measure(
    quick: bool,
    repeat: int,
    registry: Path | None = None,
    workers: Sequence[int | None] = (None,),
) -> list[Figure]:
    """Import a bundle ``repeat`` times into a copy of ``registry`` (or a new one), for
    each count of ``workers`` reading the cards (0: in this process; None: as the
    workstation sets up its importer, with the machine's spare cores).  Each count
    has an importer of its own, so its workers are started once (the first run, the
    maximum) and kept, as in a session."""
    count = QUICK_BUNDLE_CARDS if quick else BUNDLE_CARDS
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        target = folder / "registry.sqlite3"
        if registry is not None:
            shutil.copyfile(registry, target)
        # One workstation's services for each count, so that each keeps its workers.
        opened = {n: open_services(str(target), ServiceOptions(actor="bench")) for n in workers}
        importers = {n: services.importer for n, services in opened.items()}
        for n, importer in importers.items():
            importer.workers = n
        raw: list[float] = []
        whole: dict[int | None, list[float]] = {n: [] for n in workers}
        chosen: list[int] = []
        writes: list[float] = []
        checkpoints: list[float] = []
        indexing: list[float] = []
        for run in range(repeat):
            for index, count_of_workers in enumerate(workers):
                number = run * len(workers) + index
                bundle = _bundle(folder, count, number)
                # Written pages of the copy and of the runs before go to disk first: the
                # kernel throttles writers while gigabytes wait, which no import should
                # be charged with (the raw limit varied 35-100 ms without this).
                os.sync()
                if index == 0:
                    cards = [
                        (p.name, p.read_bytes()) for p in sorted(folder.glob(f"cards-{number}/*"))
                    ]
                    # Three times a run: a new file's first flush to disk alone
                    # varies 35-90 ms here, and one sample a run made the limit a lottery.
                    raw.extend(_raw_insert(folder, cards) for _ in range(RAW_SAMPLES))
                if count_of_workers is None:
                    chosen.append(worker_count(spare_cores(), count))
                total, write, checkpoint, index_seconds = _import(
                    importers[count_of_workers], bundle
                )
                whole[count_of_workers].append(total)
                if index == 0:
                    writes.append(write)
                    checkpoints.append(checkpoint)
                    indexing.append(index_seconds)
        for services in opened.values():
            services.close()
    if chosen:
        print(
            f"The importer as set up read with {max(set(chosen), key=chosen.count)} worker(s), "
            f"the spare cores it found at each run: {chosen}"
        )
    per = f"{count:,}-card bundle"
    # The goal is the import's as the workstation reads it (None: with the spare cores it
    # finds); a fixed count of workers is reported beside it, as the issue asks.
    return [
        Figure(
            f"import a {per}" + _label(n),
            "s",
            whole[n],
            "sqlite3 executemany, same rows",
            raw,
            "<= 8x raw" if n is None else "(reported)",
            goal_ratio=8.0 if n is None else None,
        )
        for n in workers
    ] + [
        Figure(
            f"  of which writing ({per})",
            "s",
            writes,
            "sqlite3 executemany",
            raw,
            "<= 4x raw",
            goal_ratio=4.0,
        ),
        Figure(
            "  then its checkpoint, in the background (not waited for)",
            "s",
            checkpoints,
            "",
            [],
            "(reported)",
        ),
        Figure(
            f"full-text indexing of {count:,} cards",
            "s",
            indexing,
            "",
            [],
            f"<= {1.5 * count / 1000:.1f} s",
            goal_absolute=1.5 * count / 1000,
        ),
    ]


def _workers(text: str) -> int | None:
    """A ``--workers`` value: a count, or ``auto`` for the importer's own choice."""
    return None if text == "auto" else int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the import benchmark on its own."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_bundle", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 200-card bundle, small registry")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--empty", action="store_true", help="import into an empty registry")
    parser.add_argument(
        "--workers",
        type=_workers,
        nargs="+",
        default=[None],
        metavar="N",
        help="import with the cards read by N worker processes (0: in this process; "
        "auto, the default: as many as the machine has spare cores)",
    )
    args = parser.parse_args(argv)
    registry = None
    if not args.empty:
        from benchmarks.scale_registry import cached_registry
        from benchmarks.window import FULL, QUICK

        registry = cached_registry(*(QUICK if args.quick else FULL))
    figures = measure(args.quick, max(args.repeat, 1), registry, args.workers)
    print_table(figures, "Import")
    if args.json:
        args.json.write_text(json.dumps([f.as_json() for f in figures], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
