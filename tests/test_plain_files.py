"""A path from outside that names a pipe, a device or a folder is refused at once.

Opening a named pipe waits for a writer, and reading it for the writer to stop:
every command that reads a file it was given hung on one for ever.  Each now says
"cannot be read: not a plain file" without waiting.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.plain_files import NOT_PLAIN, open_plain, read_plain, read_plain_text
from countersign.services.storage.database import Database

WAIT_SECONDS = 30.0
"""Far longer than refusing takes; a command still reading by then waits on the pipe."""


def test_a_pipe_is_refused_at_once_and_a_plain_file_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OSError, match="not a plain file") as refused:
        open_plain(pipe)
    assert refused.value.strerror == NOT_PLAIN
    with pytest.raises(IsADirectoryError):
        open_plain(tmp_path)
    with pytest.raises(FileNotFoundError):
        open_plain(tmp_path / "nowhere")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"0123456789")
    assert read_plain(plain) == b"0123456789"
    assert read_plain(plain, limit=4) == b"01234"  # one more than the limit: the caller refuses
    assert read_plain_text(plain) == "0123456789"


def _refused_without_waiting(
    argv: list[str], pipe: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    """What ``countersign ARGV`` says; fails (after unblocking it) if it waits on ``pipe``."""
    result: list[int] = []
    command = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    command.start()
    command.join(WAIT_SECONDS)
    if command.is_alive():  # it waits on the pipe: give it a writer, then its end
        with pipe.open("wb"):
            pass
        command.join(WAIT_SECONDS)
        pytest.fail(f"countersign {' '.join(argv)} waited on a pipe")
    assert result == [1]
    said = capsys.readouterr()
    return said.out + said.err


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "PIPE"],
        ["checklist", "import", "PIPE"],
        ["policy", "import", "PIPE"],
        ["card", "check", "PIPE"],
        ["audit", "--verify", "--checkpoint", "PIPE"],
        ["trust", "add", "PIPE"],
        ["import", "PIPE"],
        ["--db", "PIPE", "models"],
    ],
    ids=" ".join,
)
def test_every_command_refuses_a_pipe_for_a_file_at_once(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = tmp_path / "registry.sqlite3"
    Database.open(str(registry), create=True).dispose()
    monkeypatch.setenv("COUNTERSIGN_DB", str(registry))
    pipe = tmp_path / "incoming.json"
    os.mkfifo(pipe)
    said = _refused_without_waiting([str(pipe) if a == "PIPE" else a for a in argv], pipe, capsys)
    assert "not a plain file (a pipe, a device or a socket)" in said
    assert "Traceback" not in said
