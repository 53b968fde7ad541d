"""``countersign search``: the card versions whose text matches, best first, each with a snippet."""

from __future__ import annotations

import argparse
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, fail, print_json
from countersign.models.safe_text import terminal_text as line
from countersign.models.vocabulary import CardStatus
from countersign.services.counting import counted
from countersign.services.registry import SearchHit
from countersign.services.storage.dialect import search_words
from countersign.services.storage.snippets import Snippet

LIMIT_MOST = 1000
"""The most hits ``--limit`` may ask for."""


def search(args: argparse.Namespace) -> int:
    """Print the best matches of the words given (current versions first); exit 1 on bad usage."""
    text = " ".join(args.words).strip()
    if not 1 <= args.limit <= LIMIT_MOST:
        return fail(f"--limit must be between 1 and {LIMIT_MOST}; it was {args.limit}")
    if not search_words(text):
        return fail(f"“{line(text)}” has no word to search for")
    hits = services_for(args).registry.search(text, limit=args.limit)
    if args.json:
        print_json([_hit_json(hit) for hit in hits])
        return EXIT_OK
    if not hits:
        print(f"No card version matches “{line(text)}”.")
        return EXIT_OK
    verb = "matches" if len(hits) == 1 else "match"
    print(f"{counted(len(hits), 'card version')} {verb} “{line(text)}”, best first:")
    for hit in hits:
        print(f"\n{line(hit.model)} {line(hit.version)}  ({CardStatus.word(hit.status)})")
        print(f"    {marked_line(hit.snippet)}")
    return EXIT_OK


def marked_line(snippet: Snippet) -> str:
    """The snippet on one terminal-safe line, each matched word between square brackets."""
    return "".join(
        f"[{line(piece)}]" if matched else line(piece) for piece, matched in snippet.pieces()
    )


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "model": hit.model,
        "version": hit.version,
        "status": hit.status,
        "score": hit.score,
        "snippet": {
            "text": hit.snippet.text,
            "matches": [[start, end] for start, end in hit.snippet.matches],
        },
    }
