"""Every Countersign benchmark in one run, each figure against the raw limit of the same run.

    python -m benchmarks [--quick] [--repeat N] [--json FILE] [--only NAME ...]
                         [--postgres postgresql://USER@HOST/DB]

Builds (once, then cached under ~/.cache/countersign/benchmarks) a registry of
10,000 models and 100,000 card versions in all four card formats (``--quick``:
1,000 models and 5,000 versions), then measures importing a bundle into it,
the window on it (cold start, the home screen, search, the models table, memory), card version
diffs and the signed PDF report; with ``--postgres``, importing and searching
on that PostgreSQL database too (brought to the same size with ``registry
copy``), against the raw limit of the same server.  Prints one table (figure, median, min-max,
limit measured, ratio, goal, met) and writes the same as JSON with ``--json``.
Exit status 0 when every figure was measured, whether or not its goal was met.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.figures import Figure, print_table

SUITES = ("import", "window", "diff", "report")


def _suite(
    name: str, quick: bool, repeat: int, registry: Path, postgres: str | None = None
) -> list[Figure]:
    if name == "postgresql":
        from benchmarks import postgresql

        assert postgres is not None
        return postgresql.measure(postgres, quick, repeat, registry)
    if name == "import":
        from benchmarks import import_bundle

        return import_bundle.measure(quick, repeat, registry, (None, 0))
    if name == "window":
        from benchmarks import window

        return [
            *window.measure_start(registry, repeat),
            *window.measure_search(registry, repeat),
            *window.measure_table(registry, repeat),
            *window.measure_desk(registry, repeat),
        ]
    if name == "diff":
        from benchmarks import diff

        return diff.measure(quick, repeat)
    from benchmarks import report

    measure: Callable[[bool, int], list[Figure]] = report.measure
    return measure(quick, repeat)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen suites and print one table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 models / 5,000 versions")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--only", nargs="+", choices=(*SUITES, "postgresql"), help="run only these suites"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also import and search on this PostgreSQL database (empty, or a registry)",
    )
    # For the test suite's smoke run: a tiny registry in a folder of its own.
    parser.add_argument(
        "--size", nargs=2, type=int, metavar=("MODELS", "VERSIONS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from benchmarks.scale_registry import cached_registry
    from benchmarks.window import FULL, QUICK

    models, versions = args.size or (QUICK if args.quick else FULL)
    registry = cached_registry(models, versions, root=args.cache)
    repeat = max(args.repeat, 1)
    figures: list[Figure] = []
    chosen = list(args.only or SUITES)
    if args.postgres and "postgresql" not in chosen and not args.only:
        chosen.append("postgresql")
    if "postgresql" in chosen and not args.postgres:
        parser.error("the postgresql suite needs --postgres postgresql://USER@HOST/DB")
    for name in chosen:
        print(f"measuring {name}…", file=sys.stderr)
        figures.extend(_suite(name, args.quick, repeat, registry, args.postgres))
    heading = (
        f"Countersign on {models:,} models / {versions:,} card versions, "
        f"median of {repeat} runs ({platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()})"
    )
    print_table(figures, heading)
    with_goal = [f for f in figures if f.has_goal]
    missed = [f.name.strip() for f in with_goal if not f.met]
    print(f"goals met: {len(with_goal) - len(missed)} of {len(with_goal)}")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "models": models,
                    "card_versions": versions,
                    "repeat": repeat,
                    "figures": [f.as_json() for f in figures],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
