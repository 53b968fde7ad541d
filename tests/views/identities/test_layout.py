"""The identity forms never squeeze a field: the keyring's full explanation makes the form grow."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from countersign.services.workstation import ServiceOptions, open_services
from countersign.views.identities.forms import CreateIdentityDialog
from tests.helpers.keyring_memory import PlaintextKeyring
from tests.helpers.layout import assert_usable, squeezed
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_setup_form_with_no_keyring_keeps_every_field_usable(qtbot: QtBot, tmp_path: Path) -> None:
    services = open_services(
        str(tmp_path / "registry.sqlite3"),
        ServiceOptions(keyring=PlaintextKeyring(), actor="officer"),
    )
    try:
        form = CreateIdentityDialog(services.identities, first_run=True)
        qtbot.addWidget(form)
        form.show()
        qtbot.waitUntil(lambda: not form.working, timeout=5000)
        assert form.problem_text().startswith("No usable keyring")
        assert_usable(qtbot, form)
        assert squeezed(form) == []
        for field in (form.name, form.email, form.passphrase, form.confirmation):
            assert field.height() >= field.sizeHint().height()
        assert form.problem.height() >= form.problem.heightForWidth(form.problem.width())
    finally:
        wait_for_background()
        services.close()
