"""Reading a scripted review's answers: YAML mapping each checklist item id to its answer.

```yaml
owner-contact: {answer: pass, note: "Team mailbox cra-models@bank.example"}
monitoring-plan:
  answer: fail
  note: No retraining trigger is stated.
```

The file is untrusted text: parsed with the bounded loader of
:mod:`countersign.formats.limits`, and every problem is refused naming the file and
the field.  Whether the item ids exist is the review rules' business.
"""

from __future__ import annotations

from pathlib import Path

from countersign.errors import InputRefused
from countersign.formats.limits import YamlProblem, load_yaml
from countersign.models.vocabulary import AnswerValue
from countersign.plain_files import read_plain
from countersign.services.reviews.errors import ResponsesInvalid
from countersign.services.reviews.records import Answer

MAX_RESPONSES_BYTES = 1024 * 1024
"""A responses file larger than this is refused."""


def read_responses(path: Path) -> dict[str, Answer]:
    """Read a responses file, or refuse it naming the file and the field."""
    answers, problems = read_responses_listing_problems(path)
    if problems:
        raise problems[0]
    return answers


def read_responses_listing_problems(
    path: Path,
) -> tuple[dict[str, Answer], list[ResponsesInvalid]]:
    """Read a responses file: the answers that are well formed, and every entry that is not.

    A file that cannot be read or is no mapping is still refused at once.
    """
    file = path.name
    try:
        if path.stat().st_size > MAX_RESPONSES_BYTES:
            raise ResponsesInvalid("the file is larger than 1 MiB", file)
        data = read_plain(path)
    except OSError as error:
        raise ResponsesInvalid(f"cannot be read: {error.strerror or error}", file) from None
    return parse_responses_listing_problems(data, file)


def parse_responses_listing_problems(
    data: bytes, file: str
) -> tuple[dict[str, Answer], list[ResponsesInvalid]]:
    """Parse a responses file's bytes: the well-formed answers, and a problem per bad entry."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ResponsesInvalid("the file is not UTF-8 text", file, f"byte {error.start}") from None
    try:
        value = load_yaml(text, file)
    except InputRefused as refusal:
        raise ResponsesInvalid(refusal.reason, file, refusal.field) from None
    except YamlProblem as problem:
        raise ResponsesInvalid(f"not valid YAML: {problem}", file) from None
    if not isinstance(value, dict) or not value:
        raise ResponsesInvalid(
            "the responses are a mapping of checklist item id to {answer: pass|fail|na, note: ...}",
            file,
        )
    answers: dict[str, Answer] = {}
    problems: list[ResponsesInvalid] = []
    for item_id, entry in value.items():
        try:
            answers[item_id] = _answer(entry, file, item_id)
        except ResponsesInvalid as problem:
            problems.append(problem)
    return answers, problems


def _answer(entry: object, file: str, item_id: str) -> Answer:
    if not isinstance(entry, dict):
        raise ResponsesInvalid(
            "each item maps to {answer: pass|fail|na, note: text}", file, item_id
        )
    unknown = sorted(str(key) for key in entry if key not in ("answer", "note"))
    if unknown:
        raise ResponsesInvalid(
            f"unknown key {unknown[0]!r}; an answer has only 'answer' and 'note'",
            file,
            f"{item_id}.{unknown[0]}",
        )
    answer = entry.get("answer")
    if not AnswerValue.known(answer):
        shown = "missing" if answer is None else repr(answer)
        raise ResponsesInvalid(
            f"the answer is {shown}; answer one of {', '.join(AnswerValue)}",
            file,
            f"{item_id}.answer",
        )
    note = entry.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise ResponsesInvalid("a note is text", file, f"{item_id}.note")
    return Answer(answer=AnswerValue(str(answer)), note=note)
