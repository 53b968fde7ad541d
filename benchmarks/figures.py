"""One figure of a benchmark against its raw limit, and the table that prints them.

Every figure is a median of repeated runs (machines here are shared and
noisy) reported beside the raw limit measured in the same run, as a ratio.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured figure against its raw limit, with its goal."""

    name: str
    unit: str
    values: list[float]
    limit_name: str
    limit_values: list[float]
    goal: str
    goal_ratio: float | None = None
    goal_absolute: float | None = None
    goal_below: float | None = None

    @property
    def median(self) -> float:
        """The median of the runs."""
        return statistics.median(self.values)

    @property
    def limit_median(self) -> float | None:
        """The median of the raw limit's runs, if one was measured."""
        return statistics.median(self.limit_values) if self.limit_values else None

    @property
    def ratio(self) -> float | None:
        """Median over the raw limit's median."""
        limit = self.limit_median
        return self.median / limit if limit else None

    @property
    def has_goal(self) -> bool:
        """Whether the figure has a goal at all (some are only reported)."""
        return (self.goal_ratio, self.goal_absolute, self.goal_below) != (None, None, None)

    @property
    def met(self) -> bool:
        """Whether every goal of this figure is met (trivially, when it has none)."""
        ratio = self.ratio
        return (
            (self.goal_ratio is None or (ratio is not None and ratio <= self.goal_ratio))
            and (self.goal_absolute is None or self.median <= self.goal_absolute)
            and (self.goal_below is None or self.median < self.goal_below)
        )

    def as_json(self) -> dict[str, Any]:
        """The figure as plain data for ``--json``."""
        return {
            "figure": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.values),
            "max": max(self.values),
            "runs": self.values,
            "limit": self.limit_name,
            "limit_median": self.limit_median,
            "limit_runs": self.limit_values,
            "ratio": self.ratio,
            "goal": self.goal,
            "has_goal": self.has_goal,
            "met": self.met,
        }


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:.0f} {unit}"


def print_table(figures: Sequence[Figure], heading: str) -> None:
    """Print the figures as a table with their goals."""
    print(heading)
    header = (
        f"{'figure':<42}{'median':>10}{'min-max':>21}{'limit measured':>16}"
        f"{'ratio':>8}  {'goal':<22}met"
    )
    print(header)
    print("-" * len(header))
    for figure in figures:
        spread = (
            f"{_shown(min(figure.values), figure.unit)}-{_shown(max(figure.values), figure.unit)}"
        )
        ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else "—"
        print(
            f"{figure.name:<42}{_shown(figure.median, figure.unit):>10}{spread:>21}"
            f"{_shown(figure.limit_median, figure.unit):>16}{ratio:>8}  {figure.goal:<22}"
            f"{('yes' if figure.met else 'NO') if figure.has_goal else '—'}"
        )
