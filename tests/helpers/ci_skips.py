"""A pytest plugin: under CI, a skipped test fails the run instead of shrinking it silently.

Every skip in this suite means that something the test needs is missing here:
poppler's ``pdfsig``, a Secret Service, ``desktop-file-validate`` or
``appstreamcli``, the shared corpus, a test extra.  On an officer's or a
developer's machine that is a skip, said in the summary; on CI (``CI`` set to
anything but ``0``, ``false`` or ``no``, as CI services set it) it is a
failure that names what was missing, so the suite cannot pass with fewer tests
than it has.  A ``skip``/``skipif`` mark is no such skip: it declares a condition
of the platform in the test's own code (running as root, another system) and
stays a skip.  Expected failures (``xfail``) are not skips and stay as they are.

``tests/conftest.py`` loads it; ``tests/test_ci_skips.py`` checks it with pytester.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

FAILED_UNDER_CI = "skipped under CI, where nothing the suite needs may be missing: "
"""How a skip turned failure begins; the skip's own reason follows."""


def under_ci() -> bool:
    """True when the ``CI`` environment variable says this run is CI's."""
    return os.environ.get("CI", "").strip().casefold() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Turn a skip into a failure under CI, keeping its reason in the failure."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not under_ci():
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason in _declared_reasons(item):
        return
    report.outcome = "failed"
    report.longrepr = f"{FAILED_UNDER_CI}{reason}"


def _declared_reasons(item: pytest.Item) -> set[str]:
    """The reasons of the test's ``skip`` and ``skipif`` marks."""
    marks = [*item.iter_markers("skip"), *item.iter_markers("skipif")]
    reasons = {str(mark.kwargs["reason"]) for mark in marks if "reason" in mark.kwargs}
    reasons |= {str(mark.args[0]) for mark in item.iter_markers("skip") if mark.args}
    return reasons
