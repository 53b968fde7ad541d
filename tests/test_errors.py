"""One error root: every error the officer can act on is a CountersignError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.errors import CountersignError, InputRefused
from countersign.formats.base import CardRefused
from countersign.formats.bundle.zip_archive import BundleRefused
from countersign.services.identities.errors import CredentialRefused
from countersign.services.reviews.errors import TemplateRefused

NOT_FOR_THE_OFFICER = {
    # A sample shipped with Countersign refused: our bug, for the crash path.
    "countersign.services.demo.DemoSamplesError",
    # Caught inside the YAML reader and turned into an InputRefused.
    "countersign.formats.limits.YamlProblem",
    # Caught inside the YAML reader: the quick reading hands the document to the usual one.
    "countersign.formats.limits._Slow",
    # Raised inside a checklist template's validation and turned into a TemplateRefused.
    "countersign.models.checklist.TemplateFieldError",
    # Raised inside the window's first look at a registry file: it then has none.
    "countersign.services.desk.first_look._NotPlain",
}


def _modules_below_views() -> list[str]:
    names = []
    for package in ("models", "formats", "services", "commands"):
        root = importlib.import_module(f"countersign.{package}")
        names.append(root.__name__)
        for info in pkgutil.walk_packages(root.__path__, f"{root.__name__}."):
            names.append(info.name)
    return names


def test_every_error_below_the_views_has_the_one_root() -> None:
    strays = []
    for name in _modules_below_views():
        module = importlib.import_module(name)
        for _attr, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ != name or not issubclass(value, Exception):
                continue
            qualified = f"{name}.{value.__name__}"
            if not issubclass(value, CountersignError) and qualified not in NOT_FOR_THE_OFFICER:
                strays.append(qualified)
    assert not strays, f"errors outside countersign.errors.CountersignError: {strays}"


@pytest.mark.parametrize(
    "refusal", [InputRefused, CardRefused, BundleRefused, CredentialRefused, TemplateRefused]
)
def test_input_refusals_are_countersign_errors_that_name_file_and_field(
    refusal: type[InputRefused],
) -> None:
    error = refusal("bundle.cardbundle", "manifest.json", "no team is named")
    assert isinstance(error, CountersignError)
    assert str(error) == "bundle.cardbundle: manifest.json: no team is named"
    assert (error.file, error.field, error.reason) == (
        "bundle.cardbundle",
        "manifest.json",
        "no team is named",
    )


def test_the_command_line_reports_an_input_refusal_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_card = tmp_path / "notes.md"
    not_a_card.write_text("just some notes, no card here\n", encoding="utf-8")
    db = tmp_path / "registry.sqlite3"
    status = main(["--db", str(db), "import", str(not_a_card)])
    err = capsys.readouterr().err
    assert status == 1
    assert "notes.md" in err and "Traceback" not in err
