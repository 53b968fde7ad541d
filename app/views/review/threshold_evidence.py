"""What a threshold item shows the reviewer: each value found beside the last approved one,
and the escalation that approving needs when the threshold fails."""

from __future__ import annotations

import html
from collections.abc import Mapping

from countersign.models.checklist import Regression, Threshold
from countersign.services.reviews.reviews import ItemView

FAILED_COLOUR = "#c8433a"
PASSED_COLOUR = "#2f8f5b"


def threshold_html(view: ItemView, escalation: str = "") -> str:
    """The check's rule, the ``escalation`` paragraph, and a table of the results it read
    (empty for other checks)."""
    check, result = view.item.check, view.automatic
    if not isinstance(check, Threshold | Regression) or result is None:
        return ""
    e = html.escape
    colour = PASSED_COLOUR if result.passed else FAILED_COLOUR
    parts = [
        f"<p><b style='color: {colour}'>Automatic check: {e(result.result)}.</b> "
        f"{e(check.rule)}.</p>"
    ]
    if not result.measurements:
        parts.append(f"<p>Found: {e(result.evidence)}</p>{escalation}")
        return "".join(parts)
    previous = e(result.baseline) if result.baseline else "No earlier version approved"
    places = {m.data for m in result.measurements}
    shared = len(places) == 1
    rows = [
        f"<tr><th align='left'>{'Slice' if shared else 'Result'}</th>"
        f"<th align='left'>This version</th><th align='left'>{previous}</th></tr>"
    ]
    for m in sorted(result.measurements, key=lambda m: m.passed):
        mark = "" if m.passed else f" <b style='color: {FAILED_COLOUR}'>✗ fails</b>"
        change = f" ({m.change:+.4g})" if m.change is not None else ""
        before = e(m.previous) if m.previous else ("—" if result.baseline else "")
        label = e(m.slice if shared else m.where)
        rows.append(
            f"<tr><td>{label}</td><td>{e(m.value)}{change}{mark}</td><td>{before}</td></tr>"
        )
    parts.append(
        "<table width='100%' cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"
    )
    place = next(iter(places))
    if shared and place:
        parts.append(f"<p>Measured on {e(place)}.</p>")
    parts.append(escalation)
    return "".join(parts)


def escalation_html(view: ItemView, signed_by: Mapping[str, str]) -> str:
    """The escalation a failed threshold needs, and whether it has signed this round."""
    escalation = view.escalation
    if escalation is None:
        return ""
    e = html.escape
    key = view.item.escalation
    if not view.escalates:
        return (
            f"<p>Escalation if this threshold fails: {e(escalation.text)} "
            f"({e(escalation.describe())}).</p>"
        )
    text = (
        f"<p><b style='color: {FAILED_COLOUR}'>Escalation needed:</b> {e(escalation.text)} "
        f"({e(escalation.describe())}): "
    )
    if escalation.role:
        who = signed_by.get(key)
        text += f"<b>signed by {e(who)}</b>." if who else "<b>not signed yet</b>."
        article = "an" if escalation.role[:1] in "aeiou" else "a"
        text += f" A plain approval is refused until {article} {e(escalation.role)} has approved;"
    else:
        text += "the round needs those approvals beyond the quorum;"
    return text + " passing this item needs a note.</p>"
