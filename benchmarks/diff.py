"""Card version diffs: our text diff against GNU ``diff -u`` on the same texts, and the structured diff.

    python -m benchmarks.diff [--repeat R]

Generates two versions of a 5,000-line and of a 50,000-line card text (edited
words, inserted and deleted lines, a moved paragraph, a rewritten block) and a
card of 5,000 values with a second version, then prints the median time of each
and the ratios against the goals: text diff within 100 ms (5,000 lines) and 1 s
(50,000 lines), at most 10x ``diff -u`` on the same files; structured diff of
5,000 values within 10 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.cards import WORDS
from benchmarks.figures import Figure, print_table
from countersign.models.card import ModelCard
from countersign.services.diff.card_diff import diff_cards
from countersign.services.diff.text_diff import TextDiff, diff_texts

# The card vocabulary with the small words that make up much of real prose.
_WORDS = [
    *WORDS,
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "for",
    "with",
    "on",
    "by",
    "is",
    "are",
    "was",
    "were",
    "be",
    "this",
    "that",
    "which",
]


def _sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + f" ({rng.randint(0, 99999)})."


def card_text(lines: int, seed: int = 11) -> list[str]:
    """A card-like Markdown text of ``lines`` lines: headings, prose, bullets, tables, blank lines."""
    rng = random.Random(seed)
    out: list[str] = []
    section = 0
    while len(out) < lines:
        section += 1
        out += [f"## Section {section}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}", ""]
        for _ in range(rng.randint(2, 5)):
            out += [_sentence(rng) for _ in range(rng.randint(1, 4))] + [""]
        if rng.random() < 0.5:
            out += [f"- {_sentence(rng, 3, 9)}" for _ in range(rng.randint(2, 6))] + [""]
        if rng.random() < 0.3:
            out += ["| Metric | Value | Dataset | Split |", "|---|---|---|---|"]
            out += [
                f"| {rng.choice(('auc', 'f1', 'wer', 'loss'))} | {rng.random():.3f} | "
                f"holdout-{rng.randint(1, 9)} | test |"
                for _ in range(rng.randint(2, 8))
            ] + [""]
    return out[:lines]


def edited(lines: list[str], rewritten: int, seed: int = 12) -> list[str]:
    """A second version: 1% of lines edited, 0.3% deleted and inserted, a paragraph moved,
    and a block of ``rewritten`` lines written anew."""
    rng = random.Random(seed)
    out: list[str] = []
    for original in lines:
        roll = rng.random()
        if roll < 0.003:
            continue
        line = original
        if roll < 0.013 and line:
            words = line.split(" ")
            words[rng.randrange(len(words))] = rng.choice(_WORDS)
            line = " ".join(words)
        out.append(line)
        if rng.random() < 0.003:
            out.append(_sentence(rng))
    start = len(out) // 3
    moved = out[start : start + 20]
    del out[start : start + 20]
    out[len(out) // 2 : len(out) // 2] = moved
    block = (len(out) * 2) // 3
    out[block : block + rewritten] = [
        "" if k % 4 == 3 else _sentence(rng) for k in range(rewritten)
    ]
    return out


def structured_cards(values: int, seed: int = 13) -> tuple[ModelCard, ModelCard]:
    """Two versions of a card holding about ``values`` values: metrics, limitations, tags, data sets."""
    rng = random.Random(seed)
    metrics = values // 5  # each metric result holds several values
    results: list[dict[str, Any]] = [
        {
            "name": rng.choice(("auc", "f1", "wer", "loss", "accuracy")),
            "value": f"{rng.random():.4f}",
            "dataset": f"holdout-{k % 17}",
            "split": "test",
            "slice": f"band {k}",
        }
        for k in range(metrics)
    ]
    limitations = [_sentence(rng) for _ in range(values // 5)]
    tags = [f"tag-{k}" for k in range(values // 5)]
    datasets = [{"name": f"set-{k}", "description": _sentence(rng)} for k in range(values // 10)]

    def card(res: list[dict[str, Any]], lim: list[str], tag: list[str]) -> ModelCard:
        for r in res:
            r["numeric"] = float(r["value"])
        return ModelCard.model_validate(
            {
                "model_details": {"name": "bench", "version": "1", "summary": _sentence(rng)},
                "quantitative_analyses": {"results": res},
                "caveats_and_recommendations": {"limitations": lim},
                "training_data": {"datasets": datasets},
                "tags": tag,
            }
        )

    old = card([dict(r) for r in results], list(limitations), list(tags))
    new_results = [dict(r) for r in results]
    for r in rng.sample(new_results, len(new_results) // 50):
        r["value"] = f"{rng.random():.4f}"
    new_limitations = list(limitations)
    rng.shuffle(new_limitations)
    new_limitations[0] = new_limitations[0].replace(" ", "  ", 1) + " Edited."
    new_tags = [*tags[5:], "tag-new"]
    return old, card(new_results, new_limitations, new_tags)


def _turns(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Seconds of each run of both, in turns so that both see the same machine load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            run()
            bucket.append(time.perf_counter() - start)
    return times


def _runs(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def _our_diff(left: str, right: str) -> TextDiff:
    """Our whole job, as ``diff -u`` does its: align, then mark the words of every changed row."""
    diff = diff_texts(left, right)
    for start, end in diff.changes:
        for row in range(start, end):
            diff.row(row)  # words are compared when a row is first read
    return diff


def _gnu_diff(left: Path, right: Path) -> None:
    result = subprocess.run(["diff", "-u", str(left), str(right)], capture_output=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"diff -u failed: {result.stderr.decode(errors='replace')}")


def measure(quick: bool, repeat: int) -> list[Figure]:
    """Text diffs of 5,000 and 50,000 lines against ``diff -u``, and the structured diff."""
    if shutil.which("diff") is None:
        raise SystemExit("GNU diff is not installed: it is the yardstick of this benchmark")
    sizes = ((5_000, 100, 0.100),) if quick else ((5_000, 100, 0.100), (50_000, 1_000, 1.0))
    figures = []
    with tempfile.TemporaryDirectory() as temp:
        for lines, rewritten, goal in sizes:
            left = card_text(lines)
            right = edited(left, rewritten)
            left_text, right_text = "\n".join(left) + "\n", "\n".join(right) + "\n"
            left_path = Path(temp) / f"left-{lines}.md"
            right_path = Path(temp) / f"right-{lines}.md"
            left_path.write_text(left_text, encoding="utf-8")
            right_path.write_text(right_text, encoding="utf-8")
            ours, gnu = _turns(
                partial(_our_diff, left_text, right_text),
                partial(_gnu_diff, left_path, right_path),
                repeat,
            )
            figures.append(
                Figure(
                    f"text diff of two {lines:,}-line versions",
                    "s",
                    ours,
                    "GNU diff -u, same texts",
                    gnu,
                    f"<= 10x, <= {goal * 1000:.0f} ms",
                    goal_ratio=10.0,
                    goal_absolute=goal,
                )
            )
    old, new = structured_cards(5_000)
    structured = _runs(lambda: diff_cards(old, new, whole_text=False), repeat)
    figures.append(
        Figure(
            "structured diff of 5,000 values",
            "s",
            structured,
            "",
            [],
            "<= 10 ms",
            goal_absolute=0.010,
        )
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the diff benchmark on its own and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diff", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the 5,000-line texts only")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print_table(measure(args.quick, max(args.repeat, 1)), "Card version diffs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
