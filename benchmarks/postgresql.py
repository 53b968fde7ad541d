"""Import and search on a PostgreSQL registry, each against the raw limit of the same server.

    python -m benchmarks.postgresql --db postgresql://USER@HOST/DB [--quick] [--repeat R]

``--db`` names a database on a running server (empty, or a registry made by
``countersign registry init``).  When it holds no card versions yet, the scale
registry (the SQLite one the other benchmarks use) is brought over with
``registry copy`` first, so that the indexes are the size an officer's registry
grows to.  Figures: importing a bundle (``psycopg`` ``executemany`` of the same
rows into a bare table on the same server as the limit), and ranked search
(the same two SQL statements sent with plain ``psycopg`` as the limit).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure, print_table
from benchmarks.import_bundle import BUNDLE_CARDS, QUICK_BUNDLE_CARDS, _bundle
from benchmarks.window import LONG_PREFIXES, SHORT_PREFIXES
from countersign.services.registry_copy import copy_between
from countersign.services.storage import dialect
from countersign.services.workstation import ServiceOptions, Services, init_registry, open_services


def _timed(action: Callable[[], Any], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return runs


def _raw_insert(url: str, cards: list[tuple[str, bytes]], run: int) -> float:
    """``executemany`` of the same rows into a bare table on the same server, committed."""
    import psycopg

    table = f"bench_raw_{run}_{time.perf_counter_ns()}"
    rows = [
        (name, "1", data.decode(), hashlib.sha256(data).hexdigest(), data, name)
        for name, data in cards
    ]
    with psycopg.connect(url) as connection:
        connection.execute(
            f"CREATE TABLE {table} (id serial PRIMARY KEY, model text, version text, "
            "canonical_json text, sha256 text, original bytea, original_name text)"
        )
        connection.commit()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (model, version, canonical_json, sha256, original, "
                "original_name) VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )
        connection.commit()
        elapsed = time.perf_counter() - start
        connection.execute(f"DROP TABLE {table}")
        connection.commit()
    return elapsed


def measure_import(services: Services, url: str, quick: bool, repeat: int) -> list[Figure]:
    """Import a bundle ``repeat`` times into the PostgreSQL registry: the whole, and its writing.

    The goals are SQLite's (issue 19): the whole import within 8x the raw
    insert, its write phase within 4x.  Reading, checking and parsing the
    cards (the planning) is the same work on both databases, and the write
    phase adds the same rows beyond the raw ones on both: the search index,
    two hash-chained audit events per card, the model rows.
    """
    count = QUICK_BUNDLE_CARDS if quick else BUNDLE_CARDS
    whole: list[float] = []
    writing: list[float] = []
    raw: list[float] = []
    stamp = time.time_ns()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for run in range(repeat):
            bundle = _bundle(folder, count, stamp % 1_000_000 + run)
            cards_dir = next(folder.glob(f"cards-{stamp % 1_000_000 + run}"))
            cards = [(p.name, p.read_bytes()) for p in sorted(cards_dir.iterdir())]
            raw.append(_raw_insert(url, cards, run))
            start = time.perf_counter()
            plan = services.importer.plan(bundle)
            planned = time.perf_counter()
            report = services.importer.apply(plan)
            landed = time.perf_counter()
            if not report.landed:
                raise SystemExit(f"benchmark bundle was refused: {report.plan.reason()}")
            whole.append(landed - start)
            writing.append(landed - planned)
    limit = "psycopg executemany, same rows, same server"
    return [
        Figure(
            f"PostgreSQL: import a {count:,}-card bundle",
            "s",
            whole,
            limit,
            raw,
            "<= 8x raw",
            goal_ratio=8.0,
        ),
        Figure(
            f"  of which writing ({count:,} cards, PostgreSQL)",
            "s",
            writing,
            limit,
            raw,
            "<= 4x raw",
            goal_ratio=4.0,
        ),
    ]


def _raw_sql(statement: str) -> str:
    """A statement of the dialect module with psycopg's placeholders for SQLAlchemy's."""
    return re.sub(r":(\w+)", r"%(\1)s", statement)


def measure_search(services: Services, url: str, repeat: int) -> list[Figure]:
    """Ranked top 20 through the registry, against the same SQL sent with plain psycopg."""
    import psycopg

    registry = services.registry
    figures = []
    with psycopg.connect(url) as raw:
        for label, words in (
            ("3-letter prefix", SHORT_PREFIXES),
            ("longer prefixes", LONG_PREFIXES),
        ):
            ours: list[float] = []
            limit: list[float] = []
            for text in words:
                registry.search(text, limit=20)  # warm
                query = dialect.tsquery(text)

                def plain(query: str = query) -> None:
                    found = raw.execute(
                        _raw_sql(dialect.POSTGRESQL_FLOOR),
                        {"q": query, "skip": dialect.RANKED_AT_MOST - 1},
                    ).fetchone()
                    floor = int(found[0]) if found else 0
                    raw.execute(
                        _raw_sql(dialect.postgresql_ranked(floor)),
                        {"q": query, "r": dialect.ranking_tsquery(query), "floor": floor, "n": 20},
                    ).fetchall()
                    raw.rollback()

                limit += _timed(plain, repeat)
                ours += _timed(partial(registry.search, text, limit=20), repeat)
            figures.append(
                Figure(
                    f"PostgreSQL: search, ranked top 20, {label}",
                    "s",
                    ours,
                    "same SQL, plain psycopg",
                    limit,
                    "<= 100 ms",
                    goal_absolute=0.100,
                )
            )
    return figures


def measure(url: str, quick: bool, repeat: int, registry: Path | None) -> list[Figure]:
    """Both figures on the PostgreSQL registry at ``url`` (filled from ``registry`` when empty)."""
    init_registry(url)
    services = open_services(url, ServiceOptions(actor="bench"), create=False)
    try:
        if registry is not None and not services.registry.count_models():
            print(f"copying the scale registry into {services.database.location}…")
            services.close()
            copy_between(str(registry), url)
            services = open_services(url, ServiceOptions(actor="bench"), create=False)
        return [
            *measure_import(services, url, quick, repeat),
            *measure_search(services, url, repeat),
        ]
    finally:
        services.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the PostgreSQL benchmark on its own."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.postgresql", description=__doc__)
    parser.add_argument("--db", required=True, metavar="URL", help="postgresql://USER@HOST/DB")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from benchmarks.scale_registry import cached_registry
    from benchmarks.window import FULL, QUICK

    scale = cached_registry(*(QUICK if args.quick else FULL))
    figures = measure(args.db, args.quick, max(args.repeat, 1), scale)
    print_table(figures, f"Countersign on PostgreSQL ({args.db.partition('?')[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
