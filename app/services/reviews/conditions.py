"""The terms of an approval: conditions (short texts) and the date until which it holds.

A sign-off may carry conditions ("re-validate on the 2027 data") and an
expiry date; both are signed with it.  A round's approval holds until the
earliest expiry among its approving sign-offs, through that day (UTC), and is
*expired* from the next day on.  A checklist template may set, per risk tier,
the longest an approval may hold (``validity_months``); for such a tier an
expiry is required.  Everything here is plain data and dates: no session.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from countersign.models.safe_text import BIDI_CONTROLS, display_text
from countersign.services.reviews.errors import TermsRefused
from countersign.services.storage import database

MAX_CONDITIONS = 10
"""A sign-off with more conditions than this is refused."""

MAX_CONDITION_CHARS = 300
"""A condition longer than this is refused: a condition is a short text."""

LONGEST_EXPIRY_YEARS = 10
"""An expiry further than this from the day of signing is refused (a typo, most likely)."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


@dataclass(frozen=True)
class ApprovalTerms:
    """The conditions and expiry date a sign-off carries (none by default)."""

    conditions: tuple[str, ...] = ()
    expires: datetime.date | None = None

    @property
    def expires_on(self) -> str | None:
        """The expiry as stored and signed (``YYYY-MM-DD``), or None."""
        return self.expires.isoformat() if self.expires else None

    def payload_members(self) -> dict[str, object]:
        """What the terms add to a signed payload: nothing when there are none.

        A sign-off without terms signs exactly what it signed before terms
        existed, so older sign-offs still verify; one with terms signs
        ``conditions`` and ``expires``, and a changed row no longer matches.
        """
        members: dict[str, object] = {}
        if self.conditions:
            members["conditions"] = list(self.conditions)
        if self.expires is not None:
            members["expires"] = self.expires.isoformat()
        return members

    @classmethod
    def stored(cls, conditions_json: str, expires_on: str | None) -> ApprovalTerms:
        """The terms as a sign-off row holds them; never raises.

        A row changed into something unreadable fails closed: conditions that are
        no JSON list are kept as one text, and an expiry that is no date reads as
        the earliest date there is (so the approval is expired); the sign-off's
        signature no longer verifies either.
        """
        try:
            loaded = json.loads(conditions_json or "[]")
        except ValueError:
            loaded = [conditions_json]
        texts = tuple(str(c) for c in loaded) if isinstance(loaded, list) else (str(loaded),)
        if not expires_on:
            return cls(texts, None)
        try:
            return cls(texts, datetime.date.fromisoformat(expires_on))
        except ValueError:
            return cls(texts, datetime.date.min)


def today() -> datetime.date:
    """Today's date in UTC (:func:`~countersign.services.storage.database.utc_today`)."""
    return database.utc_today()


def parse_date(text: str, field: str = "--expires") -> datetime.date:
    """A ``YYYY-MM-DD`` date, or a refusal naming ``field`` and what was wrong."""
    shown = display_text(text.strip())[:40]
    if not _DATE.match(text.strip()):
        raise TermsRefused(f"{field}: {shown!r} is not a date; write it as YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise TermsRefused(f"{field}: {shown!r} is not a date of the calendar") from None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def condition_problems(conditions: Sequence[str]) -> Iterator[TermsRefused]:
    """Every problem of the conditions: too many, blank, too long, control characters."""
    if len(conditions) > MAX_CONDITIONS:
        yield TermsRefused(
            f"{len(conditions)} conditions given; a sign-off carries at most {MAX_CONDITIONS}"
        )
    for number, text in enumerate(conditions, start=1):
        where = f"condition {number}"
        if not text.strip():
            yield TermsRefused(f"{where} is empty; write what must be done, or leave it out")
        elif len(text) > MAX_CONDITION_CHARS:
            yield TermsRefused(
                f"{where} has {len(text):,} characters; a condition is a short text of at "
                f"most {MAX_CONDITION_CHARS}"
            )
        elif _CONTROL.search(text):
            yield TermsRefused(
                f"{where} holds a control character ({display_text(text)[:60]!r}); a "
                "condition is one line of plain text"
            )


def expiry_problems(
    terms: ApprovalTerms, signed_on: datetime.date, longest_months: int | None, tier: str
) -> Iterator[TermsRefused]:
    """Every problem of the expiry date, signed on ``signed_on``, for a ``tier`` template limit."""
    if terms.expires is None:
        if longest_months is not None:
            yield TermsRefused(
                f"an approval of a {tier} risk card must say until when it holds: the checklist "
                f"allows at most {longest_months} months; give an expiry date (--expires "
                f"YYYY-MM-DD, on or before {add_months(signed_on, longest_months)})"
            )
        return
    if terms.expires < signed_on:
        yield TermsRefused(
            f"the expiry date {terms.expires} is in the past (today is {signed_on}); an approval "
            "holds until a day to come"
        )
    elif terms.expires > add_months(signed_on, 12 * LONGEST_EXPIRY_YEARS):
        yield TermsRefused(
            f"the expiry date {terms.expires} is more than {LONGEST_EXPIRY_YEARS} years away"
        )
    elif longest_months is not None and terms.expires > add_months(signed_on, longest_months):
        yield TermsRefused(
            f"the expiry date {terms.expires} is beyond what the checklist allows for a {tier} "
            f"risk card: at most {longest_months} months, so on or before "
            f"{add_months(signed_on, longest_months)}"
        )


@dataclass(frozen=True)
class RoundTerms:
    """The terms a round's approval holds under: every approver's conditions, the earliest expiry."""

    conditions: tuple[str, ...] = ()
    expires_on: str | None = None

    def expired(self, as_of: datetime.date) -> bool:
        """Whether the approval no longer holds on ``as_of`` (it holds through its expiry day)."""
        return self.expires_on is not None and as_of.isoformat() > self.expires_on


def round_terms(approvals: Iterable[ApprovalTerms]) -> RoundTerms:
    """The terms of a round from its approving sign-offs' terms, in signing order."""
    conditions: list[str] = []
    dates: list[str] = []
    for terms in approvals:
        conditions.extend(c for c in terms.conditions if c not in conditions)
        if terms.expires_on:
            dates.append(terms.expires_on)
    return RoundTerms(tuple(conditions), min(dates) if dates else None)
