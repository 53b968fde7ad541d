"""The outcome of checking a signed report: one verdict per check, and the overall one.

Plain records, so that a view can show each check without importing pyHanko.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportCheck:
    """One thing checked about a report, whether it holds, and why, in words."""

    name: str
    ok: bool
    detail: str

    def describe(self) -> str:
        """``ok      name: detail`` or ``FAILED  name: detail``."""
        return f"{'ok' if self.ok else 'FAILED':<7} {self.name}: {self.detail}"


@dataclass(frozen=True)
class ReportVerification:
    """Every check of one report file."""

    file: str
    checks: tuple[ReportCheck, ...]
    model: str = ""
    version: str = ""
    status: str = ""
    card_sha256: str = ""
    signer: str = ""
    attachments: Mapping[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    """The files attached to the PDF, by name (for the offline deployment gate)."""

    @property
    def ok(self) -> bool:
        """Whether every check holds: the report is valid."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[ReportCheck]:
        """The checks that do not hold."""
        return [check for check in self.checks if not check.ok]

    def verdict(self) -> str:
        """One sentence for the officer."""
        about = f" of {self.model} {self.version} ({self.status})" if self.model else ""
        if self.ok:
            return (
                f"VALID: {self.file} is an intact report{about}, signed by {self.signer}; "
                f"all {len(self.checks)} checks hold."
            )
        return (
            f"INVALID: {self.file}{about}: {len(self.failures)} of {len(self.checks)} checks fail."
        )
