"""A registry at scale for benchmarks: N models with M card versions each, built once and cached.

The cards come from :mod:`benchmarks.cards` (3-6 KB, all four formats, metrics
by slice, long text).  They reach the registry the way an officer's would:
written into bundles of 1,000 cards with :func:`countersign.formats.bundle.create_bundle`
and imported with :class:`countersign.services.importing.importer.Importer`, round after round,
so that each round's version supersedes the one before.  Bundles are written
in a second process while the previous one is imported.

The finished registry is kept in the user's cache folder, keyed by its size
and by :data:`BUILD_REVISION`, so that later runs open it at once.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from platformdirs import user_cache_dir

from benchmarks.cards import GENERATORS, SUFFIXES
from countersign.formats.bundle import create_bundle
from countersign.services.workstation import ServiceOptions, open_services

BUNDLE_CARDS = 1000
"""Cards per bundle (one model each): the size of a large real submission."""

TEAMS = 10
"""Teams sending the models: each block of models belongs to one."""

BUILD_REVISION = 1
"""Bump when the registry's contents change, so that old caches are not reused."""

REGISTRY_FILE = "registry.sqlite3"
_DONE = "complete.json"


def cache_root() -> Path:
    """Where built registries are kept between runs."""
    return Path(user_cache_dir("countersign")) / "benchmarks"


def registry_path(models: int, versions: int, *, root: Path | None = None) -> Path:
    """The cached registry of ``models`` models and ``versions`` card versions in all."""
    folder = (root or cache_root()) / f"registry-{models}x{versions}-r{BUILD_REVISION}"
    return folder / REGISTRY_FILE


def _at_head(built: Path) -> Path:
    """``built`` upgraded to the newest migration: a copy made once per revision and kept.

    Copies of the registry then do not each pay for an upgrade inside a measured
    figure, and a checkout at an older revision still finds the file it can open.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    upgraded = built.with_name(f"{built.stem}-at-{head}{built.suffix}")
    if not upgraded.exists():
        partial = upgraded.with_name(upgraded.name + ".partial")
        shutil.copyfile(built, partial)
        open_services(str(partial), ServiceOptions(actor="benchmark")).close()
        for leftover in partial.parent.glob(partial.name + "-*"):
            leftover.unlink()
        partial.rename(upgraded)
    return upgraded


def card_bytes(model_index: int, version: int, seed: int = 7) -> tuple[str, bytes]:
    """The file name and bytes of one card: model ``model_index`` at version ``version``.

    The format cycles with the model; the text differs from version to
    version; the version is stated in the card where its format has a place
    for it (the bundle's default stands for it elsewhere).
    """
    rng = random.Random(seed * 1_000_003 + model_index * 101 + version)
    kind = model_index % len(GENERATORS)
    data = GENERATORS[kind](model_index, rng)
    text = data.decode()
    if kind == 0:  # native JSON, compact
        text = text.replace('"version":"1"', f'"version":"{version}"', 1)
    elif kind == 2:  # Model Card Toolkit
        text = text.replace('"version": {"name": "1"}', f'"version": {{"name": "{version}"}}', 1)
    return f"card-{model_index:05d}{SUFFIXES[kind]}", text.encode()


def write_bundle(folder: Path, first_model: int, count: int, version: int) -> Path:
    """Write the bundle of models ``first_model`` … ``+count`` at ``version`` into ``folder``."""
    cards = folder / f"cards-{first_model}-{version}"
    cards.mkdir(parents=True)
    for index in range(first_model, first_model + count):
        name, data = card_bytes(index, version)
        (cards / name).write_bytes(data)
    team = f"Bench Team {first_model // BUNDLE_CARDS % TEAMS}"
    bundle = folder / f"bench-{first_model:05d}-v{version}.cardbundle"
    create_bundle(cards, bundle, team, producer="countersign benchmark", version=str(version))
    shutil.rmtree(cards)
    return bundle


def build_registry(models: int, versions: int, target: Path, *, quiet: bool = False) -> Path:
    """Build the registry at ``target`` by importing bundles round by round; returns ``target``."""
    if versions % models:
        raise ValueError("the card versions must be a whole number of rounds over the models")
    rounds = versions // models
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    for leftover in target.parent.glob(partial.name + "*"):
        leftover.unlink()
    services = open_services(str(partial), ServiceOptions(actor="benchmark"))
    importer = services.importer
    jobs = [
        (start, min(BUNDLE_CARDS, models - start), version)
        for version in range(1, rounds + 1)
        for start in range(0, models, BUNDLE_CARDS)
    ]
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="countersign-bench-") as temp,
        ProcessPoolExecutor(max_workers=1) as pool,
    ):
        # One bundle written ahead while the one before is imported.
        pending: list[Future[Path]] = [pool.submit(write_bundle, Path(temp), *jobs[0])]
        for number, _job in enumerate(jobs):
            if number + 1 < len(jobs):
                pending.append(pool.submit(write_bundle, Path(temp), *jobs[number + 1]))
            bundle = pending[number].result()
            report = importer.import_file(bundle)
            if not report.landed:
                raise RuntimeError(f"benchmark bundle refused: {report.plan.reason()}")
            bundle.unlink()
            if not quiet:
                elapsed = time.perf_counter() - started
                print(
                    f"\r  built {number + 1}/{len(jobs)} bundles ({elapsed:.0f} s)",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
    if not quiet:
        print(file=sys.stderr)
    services.close()
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    partial.rename(target)
    (target.parent / _DONE).write_text(
        json.dumps({"models": models, "card_versions": versions, "revision": BUILD_REVISION})
    )
    return target


def cached_registry(models: int, versions: int, *, root: Path | None = None) -> Path:
    """The registry of that size, built now if no finished one is in the cache."""
    target = registry_path(models, versions, root=root)
    if target.exists() and (target.parent / _DONE).exists():
        return _at_head(target)
    print(
        f"Building a registry of {models:,} models and {versions:,} card versions "
        f"(once; cached in {target.parent})…",
        file=sys.stderr,
    )
    return build_registry(models, versions, target)
