"""Under CI a skipped test fails the run, naming what was missing; elsewhere it stays a skip."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.helpers.ci_skips import FAILED_UNDER_CI

SUITE = """
import pytest

def test_runs():
    pass

def test_needs_a_tool():
    pytest.skip("poppler's pdfsig is not installed")

@pytest.mark.skipif(True, reason="root writes into read-only folders")
def test_marked():
    pass

@pytest.fixture
def tool():
    pytest.skip("no Secret Service to test against")

def test_fixture(tool):
    pass

def test_extra():
    pytest.importorskip("no_such_module_anywhere")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # no Qt: a second sooner
    pytester.makepyfile(test_sample=SUITE)
    return pytester.runpytest_subprocess("-p", "tests.helpers.ci_skips", "-rfEs")


@pytest.mark.parametrize("ci", [None, "false"])
def test_outside_ci_a_skip_stays_a_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    result = _run(pytester, monkeypatch, ci)
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_every_skip_fails_and_names_what_was_missing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    result = _run(pytester, monkeypatch, ci)
    # A skip while setting up (a fixture that skips) fails as an error; a skipif mark,
    # a condition of the platform declared in the test, stays a skip.
    result.assert_outcomes(passed=1, failed=2, errors=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    for line in (
        f"ERROR test_sample.py::test_fixture - {FAILED_UNDER_CI}no Secret Service to test*",
        "SKIPPED * root writes into read-only folders",
        f"FAILED test_sample.py::test_needs_a_tool - {FAILED_UNDER_CI}poppler's pdfsig is*",
        f"FAILED test_sample.py::test_extra - {FAILED_UNDER_CI}could not import 'no_such_mod*",
    ):
        result.stdout.fnmatch_lines([line])


def test_under_ci_a_missing_corpus_fails(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The real corpus fixture, with the corpus pointed at a folder that does not exist."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("COUNTERSIGN_CORPUS", str(tmp_path_factory.mktemp("x") / "missing"))
    pytester.makepyfile(
        test_reads="from tests.conftest import corpus\n\ndef test_reads(corpus):\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "tests.helpers.ci_skips")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{FAILED_UNDER_CI}the shared card corpus is not at*"])
