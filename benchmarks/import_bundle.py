"""Importing a 1,000-card bundle, against a raw sqlite3 executemany of the same rows.

    python -m benchmarks.import_bundle [--cards N] [--repeat R]

Prints the median and range of each, and the ratio (goal: at most 3x).
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from app.formats.bundle import create_bundle
from app.services.database import Database
from app.services.importer import Importer
from benchmarks.cards import generated_cards


def _raw_insert(folder: Path, cards: list[tuple[str, bytes]]) -> float:
    path = folder / f"raw-{time.perf_counter_ns()}.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
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
        "INSERT INTO card_versions (model, version, canonical_json, sha256, original, original_name) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def _import(folder: Path, bundle: Path) -> tuple[float, float]:
    """Seconds to plan (read, check, parse every card) and to land (write) the bundle."""
    db = Database.open(str(folder / f"registry-{time.perf_counter_ns()}.sqlite3"))
    importer = Importer(db, actor="bench")
    start = time.perf_counter()
    plan = importer.plan(bundle)
    planned = time.perf_counter()
    report = importer.apply(plan)
    landed = time.perf_counter()
    if not report.landed:
        raise SystemExit(f"benchmark bundle was refused: {report.plan.reason()}")
    db.dispose()
    return planned - start, landed - planned


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        cards_dir = folder / "cards"
        cards_dir.mkdir()
        cards = generated_cards(args.cards)
        for name, data in cards:
            (cards_dir / name).write_bytes(data)
        bundle = folder / "bench.cardbundle"
        create_bundle(cards_dir, bundle, "Bench Team", producer="benchmark", version="1")
        size = sum(len(d) for _, d in cards)
        print(
            f"{args.cards} cards, {size / 1024 / 1024:.1f} MiB, bundle {bundle.stat().st_size / 1024:.0f} KiB"
        )
        raw = [_raw_insert(folder, cards) for _ in range(args.repeat)]
        runs = [_import(folder, bundle) for _ in range(args.repeat)]
    figures = {
        "raw sqlite3 executemany": raw,
        "import: read and parse (plan)": [p for p, _ in runs],
        "import: write (land)": [w for _, w in runs],
        "import: whole bundle": [p + w for p, w in runs],
    }
    raw_median = statistics.median(raw)
    print(f"{'figure':<32}{'median':>9}{'min-max':>18}{'ratio':>8}")
    for name, values in figures.items():
        median = statistics.median(values)
        print(
            f"{name:<32}{median:>8.3f}s{min(values):>9.3f}-{max(values):.3f}s"
            f"{median / raw_median:>7.1f}x"
        )
    ratio = statistics.median(figures["import: whole bundle"]) / raw_median
    print(f"whole import vs raw: {ratio:.1f}x (goal <= 3x): {'met' if ratio <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
