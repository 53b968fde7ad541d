"""Integration: identities and a signed sign-off through the real Secret Service (gnome-keyring).

The command line runs in a child process inside its own D-Bus session
(``dbus-run-session``) with a gnome-keyring daemon unlocked for it, and with
HOME and the XDG folders in a temporary folder, so the developer's own
keyring and session bus are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.registry import native_card, write_card

pytestmark = [pytest.mark.secret_service, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]

SESSION = """\
set -eu
# Start a Secret Service for this D-Bus session and unlock its login keyring.
eval "$(printf PASS | gnome-keyring-daemon --unlock --components=secrets)"
cs() { "$PYTHON" -m countersign.cli "$@"; }
cs import "$WORK/scorer.json" --team Risk
cs identity create --name "Ana Approver" --email ana@example.org --role officer
cs review credit-scorer@1.0 --template standard --responses "$WORK/responses.yaml" \\
   --decision approve --comment "Signed through the Secret Service." --identity ana@example.org
cs audit --verify
"$PYTHON" - <<'EOF'
import json, subprocess, sys
import keyring
backend = keyring.get_keyring()
print("backend:", type(backend).__module__ + "." + type(backend).__name__)
listed = subprocess.run(
    [sys.executable, "-m", "countersign", "identity", "list", "--json"],
    capture_output=True, text=True, check=True,
)
fingerprint = json.loads(listed.stdout)[0]["fingerprint"]
secret = keyring.get_password("countersign", fingerprint)
print("stored:", secret.splitlines()[0])
EOF
"""


def _missing_tools() -> list[str]:
    return [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)]


def test_identity_and_signoff_with_the_real_secret_service(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: no Secret Service to test against")
    work = tmp_path / "work"
    folders = {
        name: tmp_path / name.lower()
        for name in (
            "HOME",
            "XDG_DATA_HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_RUNTIME_DIR",
        )
    }
    for folder in [work, *folders.values()]:
        folder.mkdir(mode=0o700)
    write_card(work, "scorer.json", native_card("credit-scorer", "1.0", risk_rating="medium"))
    (work / "responses.yaml").write_text(
        "".join(
            f"{item}: {{answer: pass, note: Checked by hand.}}\n"
            for item in (
                "owner-contact",
                "intended-use",
                "out-of-scope-uses",
                "evaluation-data",
                "metrics-reported",
                "subgroup-metrics",
                "limitations-specific",
                "ethical-risks",
                "training-data-provenance",
                "licence-stated",
                "monitoring-plan",
            )
        )
    )
    script = work / "session.sh"
    script.write_text(SESSION)
    # Built from nothing, so no DBUS_SESSION_BUS_ADDRESS (or keyring setting) leaks in.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHON": sys.executable,
        "WORK": str(work),
        "COUNTERSIGN_DB": str(work / "registry.sqlite3"),
        "COUNTERSIGN_PASSPHRASE": "correct horse battery staple",
        **{name: str(folder) for name, folder in folders.items()},
    }
    assert "DBUS_SESSION_BUS_ADDRESS" not in env
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", str(script)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "created identity Ana Approver <ana@example.org> (officer)" in result.stdout
    assert "keyring.backends.SecretService.Keyring" in result.stdout
    assert "credit-scorer 1.0 for staging: approved" in result.stdout
    assert "Sign-offs intact: 1 signature in 1 review verified" in result.stdout
    assert "stored: -----BEGIN ENCRYPTED PRIVATE KEY-----" in result.stdout
    # The key went to gnome-keyring's own (encrypted) store: no file holds it in the clear.
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "session.sh":
            assert b"PRIVATE KEY" not in path.read_bytes(), path
