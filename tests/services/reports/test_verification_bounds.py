"""Hostile reports: memory bounded, no pyHanko traceback, one wording per signer verdict.

The red-team's cases: a 40 MiB PDF whose signature ``/Contents`` held 20 MB of
hex took 29 s and 3.8 GB; a signer certificate with one hex digit changed
inside ``/Contents`` printed a pyHanko traceback; an unknown signer printed
pyHanko's logged traceback before the verdict; a tampered report said its
signer was "neither in this registry nor trusted" although it was in it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.reports.errors import ReportUnreadable
from countersign.services.reports.verification import MAX_HEX_DIGITS
from countersign.services.storage.database import Database
from tests.helpers.reports import ReportBench, report_bench

_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportBench]:
    with report_bench(tmp_path_factory.mktemp("bounds")) as made:
        yield made


@pytest.fixture(scope="module")
def report(bench: ReportBench, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench.export(tmp_path_factory.mktemp("out") / "report.pdf")


def _huge_contents(data: bytes, size: int) -> bytes:
    """``data`` with its signature /Contents grown to make a file of ``size`` bytes.

    The offsets of the last cross-reference section are moved with it, so that
    the file still reads as a PDF up to the signature.
    """
    found = _CONTENTS.search(data)
    assert found is not None
    filler = b"ab" * ((size - len(data) + len(found.group(1))) // 2)
    delta = len(filler) - len(found.group(1))
    grown = data[: found.start(1)] + filler + data[found.end(1) :]
    cut = found.start(1)
    head, tail = grown[: grown.rindex(b"\nxref\n") + 1], grown[grown.rindex(b"\nxref\n") + 1 :]

    def moved(entry: re.Match[bytes]) -> bytes:
        offset = int(entry.group(1))
        return b"%010d %s n" % (offset + delta if offset > cut else offset, entry.group(2))

    tail = re.sub(rb"(?m)^(\d{10}) (\d{5}) n", moved, tail)
    tail = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n%d" % (int(m[1]) + delta), tail)
    return head + tail


_MEASURE = """
import resource, sys
from pathlib import Path
from countersign.services.reports.errors import ReportUnreadable
from countersign.services.reports.verification import verify_report_file
try:
    verify_report_file(Path(sys.argv[1]), {})
    outcome = "checked"
except ReportUnreadable as error:
    outcome = str(error)
print(outcome)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_64_mib_report_with_huge_contents_stays_in_bounded_memory(
    report: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(_huge_contents(report.read_bytes(), 64 * 1024 * 1024 - 4096))
    # Linux counts the peak of the parent's memory into a child's ru_maxrss when the child
    # execs; a small Python in between starts the measured one with a clean count.
    launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
    run = subprocess.run(
        [sys.executable, "-c", launcher, sys.executable, "-c", _MEASURE, str(hostile)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    outcome, peak_kib = run.stdout.strip().splitlines()
    assert "hostile.pdf: holds a hex string of more than 1,048,576 digits" in outcome
    assert int(peak_kib) < 300 * 1024  # generous: about 150 MB here, 3.8 GB before
    assert "Traceback" not in run.stderr


def test_a_long_hex_string_is_refused_before_parsing(bench: ReportBench, tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <" + b"0a " * (MAX_HEX_DIGITS // 2) + b"> endobj\n")
    with pytest.raises(ReportUnreadable, match=r"long\.pdf: holds a hex string of more than"):
        bench.reports.verify(path)
    path.write_bytes(b"%PDF-1.7\n1 0 obj <" + b"0a" * 1000 + b"> endobj\n")
    with pytest.raises(ReportUnreadable, match="is not a readable PDF"):
        bench.reports.verify(path)


@pytest.mark.parametrize("offset", [300, 600, 900, 1500])
def test_a_changed_digit_inside_the_signature_is_a_failed_check(
    bench: ReportBench, report: Path, tmp_path: Path, offset: int
) -> None:
    data = report.read_bytes()
    found = _CONTENTS.search(data)
    assert found is not None
    at = found.start(1) + offset
    path = tmp_path / "changed.pdf"
    path.write_bytes(data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :])
    result = bench.reports.verify(path)
    assert not result.ok
    assert not next(c for c in result.checks if c.name == "PDF signature").ok


def test_a_tampered_report_of_a_known_signer_says_it_is_in_this_registry(
    bench: ReportBench, report: Path, tmp_path: Path
) -> None:
    data = report.read_bytes()
    at = data.index(b"stream\n") + 200  # a byte of the first stream, covered by the signature
    path = tmp_path / "tampered.pdf"
    path.write_bytes(data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :])
    result = bench.reports.verify(path)
    assert not result.ok
    signer = next(c for c in result.checks if c.name == "Signer")
    assert "neither in this registry" not in signer.detail
    assert "in this registry" in signer.detail


def test_verify_prints_no_pyhanko_traceback(report: Path, tmp_path: Path) -> None:
    """An unknown signer and a damaged signature: verdicts in words, never a traceback."""
    data = report.read_bytes()
    found = _CONTENTS.search(data)
    assert found is not None
    at = found.start(1) + 300
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :])
    stranger = tmp_path / "stranger.sqlite3"
    Database.open(str(stranger), create=True).dispose()
    for path in (report, damaged):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "countersign.cli",
                "--db",
                str(stranger),
                "verify",
                str(path),
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 1
        assert "Traceback" not in run.stderr and "pyhanko" not in run.stderr.lower(), run.stderr
        assert json.loads(run.stdout)
