"""Bounded parsing of untrusted text: JSON, YAML and UTF-8.

Everything a team sends is hostile until checked.  These functions put a
ceiling on size, nesting depth and YAML alias expansion *before* building any
Python object, so that a crafted file costs time and memory in proportion to
its length and never more.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from countersign.errors import InputRefused
from countersign.formats.base import CardRefused

MAX_CARD_BYTES = 32 * 1024 * 1024
"""A card file larger than this is refused (the largest real card seen is 0.5 MB)."""

MAX_YAML_BYTES = 4 * 1024 * 1024
"""YAML (front matter or a native YAML card) larger than this is refused."""

MAX_NESTING = 64
"""JSON or YAML nested deeper than this is refused (real cards nest < 10)."""

MAX_JSON_CONTAINERS = 1_000_000
"""JSON with more objects and arrays than this is refused before it is parsed.

Each costs Python about 60 bytes or more: 32 MiB of ``[],`` would take 1.3 GB.
"""

MAX_YAML_NODES = 200_000
"""YAML whose aliases expand to more nodes than this is refused (billion laughs)."""


def decode_utf8(data: bytes, file: str) -> str:
    """Decode a card file as UTF-8 (a leading BOM is dropped) or refuse it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CardRefused(
            file,
            f"byte {error.start}",
            "the file is not UTF-8 text; save the card as UTF-8 and send it again",
        ) from None


_JSON_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?'
"""A JSON string, an unclosed one running to the end of the text.

Possessive, so that no input makes the engine retry a string at every quote:
the old pattern, without the optional closing quote, started over at each of
the quotes in ``\\"\\"\\"…`` and took quadratic time (48 s on 128 KB).
"""

_NOT_BRACKET = re.compile(_JSON_STRING + r'|[^"\[\]{}]++', re.DOTALL)
"""What the depth scan drops: strings and everything that is not a bracket."""

_JSON_TOKEN = re.compile(_JSON_STRING + r"|[\[\]{}]", re.DOTALL)
"""A JSON string (skipped whole) or a bracket."""

_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_DEPTH_CHANGE = tuple(1 if byte == 1 else -1 if byte == 0xFF else 0 for byte in range(256))


def check_json_depth(text: str, file: str, limit: int = MAX_NESTING) -> None:
    """Refuse JSON nested deeper than ``limit`` (or too many containers), in linear time.

    The brackets outside strings are picked out by one regular expression and
    the running depth summed in C; only a refusal walks the text again, to
    say where the limit was passed.
    """
    brackets = _NOT_BRACKET.sub("", text)
    containers = brackets.count("[") + brackets.count("{")
    if containers <= limit:
        return
    if containers > MAX_JSON_CONTAINERS:
        raise CardRefused(
            file, "", f"JSON holds more than {MAX_JSON_CONTAINERS:,} objects and arrays"
        )
    steps = brackets.encode("ascii").translate(_STEPS)
    if max(itertools.accumulate(map(_DEPTH_CHANGE.__getitem__, steps))) <= limit:
        return
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise CardRefused(
                    file,
                    f"character {match.start()}",
                    f"JSON is nested more than {limit} levels deep",
                )
        elif token in "]}":
            depth -= 1
    raise CardRefused(file, "", f"JSON is nested more than {limit} levels deep")  # not reached


def load_json(text: str, file: str) -> Any:
    """Parse untrusted JSON with its depth bounded; refuse what is not JSON.

    The refusals are :func:`check_json_depth`'s, then the parser's, as if the
    depth were scanned first; but when the text has too few brackets to hold
    too many containers, it is parsed first (in C) and only scanned when the
    parsed value does not settle it: when it is nested too deep, or holds fewer
    containers than the text has brackets (some are inside strings, or in a
    key written twice, whose first value the parser drops).
    """
    brackets = text.count("[") + text.count("{")
    scan_first = brackets > MAX_JSON_CONTAINERS
    if scan_first:
        check_json_depth(text, file)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        if not scan_first:
            check_json_depth(text, file)
        raise CardRefused(
            file, f"line {error.lineno} column {error.colno}", f"not valid JSON: {error.msg}"
        ) from None
    except ValueError as error:
        if not scan_first:
            check_json_depth(text, file)
        raise CardRefused(file, "", f"not valid JSON: {error}") from None
    except RecursionError:
        if not scan_first:
            check_json_depth(text, file)
        raise
    # No more brackets than the limit: the text cannot be nested deeper, and the scan
    # would pass it at once.
    if brackets > MAX_NESTING and not scan_first and not _settles_depth(value, brackets):
        check_json_depth(text, file)
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value, file)
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
"""A ``\\uD800``-``\\uDFFF`` escape: the only way JSON text (UTF-8) can hold a surrogate."""


def _refuse_lone_surrogates(value: Any, file: str) -> None:
    """Refuse JSON whose escapes make a lone UTF-16 surrogate (a pair makes one character):
    it is no character, and no UTF-8 text (a card's canonical form, the registry) holds it."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):  # pushed last to first: the first in the text is refused
            for key, child in reversed(item.items()):
                where = f"{path}.{key}" if path else key
                stack.append((child, where))
                stack.append((key, where))
        elif isinstance(item, list):
            stack.extend((item[index], f"{path}[{index}]") for index in reversed(range(len(item))))
        elif isinstance(item, str) and not _encodes(item):
            raise CardRefused(
                file,
                path.encode("utf-8", "backslashreplace").decode("utf-8"),
                "the JSON escapes a lone UTF-16 surrogate (\\ud800 to \\udfff without its pair), "
                "which is no character",
            )


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _settles_depth(value: Any, brackets: int, limit: int = MAX_NESTING) -> bool:
    """Whether parsed JSON ``value`` is within ``limit`` levels and holds ``brackets``
    containers, one for each bracket of its text (so that none was inside a string
    or dropped): then the text is nested exactly as deep as the value."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = containers = 0
    while level:
        depth += 1
        containers += len(level)
        if depth > limit:
            return False
        deeper = []
        for container in level:
            for item in container.values() if type(container) is dict else container:
                if type(item) is dict or type(item) is list:
                    deeper.append(item)
        level = deeper
    return containers == brackets


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float | str:
    number = float(text)
    # 1e999 overflows to infinity, which canonical JSON cannot hold: keep the text.
    return number if math.isfinite(number) else text


_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _CardLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader (libyaml when present) with YAML 1.2 booleans.

    Only the safe constructors exist here: no Python objects, no code.
    YAML 1.1 reads ``no``, ``on`` and ``yes`` as booleans, which turns the
    Norwegian language code ``no`` into False; cards mean the words, so only
    true/false are booleans.
    """


_CardLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _SafeBase.yaml_implicit_resolvers.items()
}
_CardLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


_RESOLVED_AT_MOST = 4096
"""Plain scalars whose tags :meth:`_CardLoader.resolve` remembers (cleared when full)."""


def _resolve_remembered(
    self: Any, kind: type[Node], value: str, implicit: tuple[bool, bool]
) -> str:
    """The tag of a node, remembered for scalars: cards repeat keys and words."""
    if kind is not ScalarNode:
        return _base_resolve(self, kind, value, implicit)
    key = (value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        if len(_RESOLVED) >= _RESOLVED_AT_MOST:
            _RESOLVED.clear()
        tag = _RESOLVED[key] = _base_resolve(self, kind, value, implicit)
    return tag


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_base_resolve: Callable[..., str] = _SafeBase.resolve
_CardLoader.resolve = _resolve_remembered


class YamlProblem(Exception):
    """YAML that could not be read; the caller decides whether that refuses or warns."""


def load_yaml(text: str, file: str, field: str = "") -> Any:
    """Parse one untrusted YAML document safely, with size, depth and aliases bounded.

    Raises :class:`CardRefused` for input that is hostile (too large, too deep,
    aliases that expand) and :class:`YamlProblem` for input that is merely not
    valid YAML.  Dates come back as ISO strings, so the result is JSON-shaped.
    """
    if len(text) > MAX_YAML_BYTES:
        raise CardRefused(file, field, f"YAML is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB")
    loader = _CardLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as error:
            raise YamlProblem(_yaml_error_text(error)) from None
        except RecursionError:
            raise CardRefused(
                file, field, f"YAML is nested more than {MAX_NESTING} levels deep"
            ) from None
        if node is None:
            return None
        if "&" not in text:  # no anchors, so no aliases: a tree
            value = _tree_value(loader, node)
            if value is not _SLOW:
                return value
        if "&" in text:
            _check_yaml_graph(node, file, field)
        else:  # no anchors, so no aliases: a tree, walked without the memo
            _check_yaml_tree(node, file, field)
        try:
            value = loader.construct_document(node)
        except yaml.YAMLError as error:
            raise YamlProblem(_yaml_error_text(error)) from None
        except (ValueError, TypeError, OverflowError) as error:
            raise YamlProblem(f"a value could not be read: {error}") from None
    finally:
        loader.dispose()
    return _json_shaped(value)


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_PLAIN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "timestamp")
)
_SLOW: Any = object()
"""What :func:`_tree_value` gives for a document it leaves to the checks and PyYAML."""


class _Slow(Exception):
    """A document the quick reading does not take; the usual one reads it (or refuses it)."""


def _tree_value(loader: Any, root: Node) -> Any:
    """The JSON-shaped value of an alias-free YAML tree, built in one walk, or :data:`_SLOW`.

    Exactly ``_json_shaped(loader.construct_document(root))`` for a tree of
    mappings, lists and untagged or core-tagged scalars within the depth and
    size bounds; anything else (too deep or large, other tags, merge keys,
    non-scalar keys, a value that cannot be read) gives :data:`_SLOW`, and
    :func:`load_yaml` takes the usual way, which checks and refuses it as ever.
    """
    try:
        return _shaped_node(loader, root, 1, [0])
    except _Slow:
        return _SLOW


def _shaped_node(loader: Any, node: Node, depth: int, count: list[int]) -> Any:
    count[0] += 1
    if depth > MAX_NESTING or count[0] > MAX_YAML_NODES // 2:
        raise _Slow
    kind, tag = type(node), node.tag
    if kind is ScalarNode:
        if tag == _STR_TAG:
            return node.value
        return _json_shaped(_plain_scalar(loader, node))
    if kind is SequenceNode and tag == _SEQ_TAG:
        return [_shaped_node(loader, child, depth + 1, count) for child in node.value]
    if kind is MappingNode and tag == _MAP_TAG:
        return _shaped_mapping(loader, node, depth, count)
    raise _Slow


def _shaped_mapping(loader: Any, node: Node, depth: int, count: list[int]) -> Any:
    """A mapping as PyYAML builds it (a key written twice keeps its place and its last
    value), then keyed as :func:`_json_shaped` keys it.

    A plain text value (most of them) is taken here, counted and bounded as
    :func:`_shaped_node` would, without a call for it.
    """
    mapping: dict[Any, Any] = {}
    texts_only = True
    deeper = depth + 1
    for key_node, value_node in node.value:
        count[0] += 1
        if type(key_node) is not ScalarNode:
            raise _Slow
        if key_node.tag == _STR_TAG:
            key = key_node.value
        else:
            key = _plain_scalar(loader, key_node)
            texts_only = texts_only and type(key) is str
        if type(value_node) is ScalarNode and value_node.tag == _STR_TAG:
            count[0] += 1
            if deeper > MAX_NESTING or count[0] > MAX_YAML_NODES // 2:
                raise _Slow
            mapping[key] = value_node.value
        else:
            mapping[key] = _shaped_node(loader, value_node, deeper, count)
    if texts_only:
        return mapping
    return {_json_key(key): item for key, item in mapping.items()}


def _plain_scalar(loader: Any, node: Node) -> Any:
    """A null, boolean, number or date, as PyYAML's safe constructor reads it."""
    if node.tag not in _PLAIN_SCALAR_TAGS:
        raise _Slow
    try:  # the safe constructor's own function, without the loader's bookkeeping
        return loader.yaml_constructors[node.tag](loader, node)
    except Exception:
        raise _Slow from None


def load_yaml_mapping(
    data: bytes, file: str, max_bytes: int, *, too_big: str, not_a_mapping: str
) -> dict[Any, Any]:
    """A small settings file (a checklist template, a metric policy): YAML, or JSON, a mapping.

    Bounded like a card's YAML.  Raises :class:`InputRefused` naming the file and, where
    known, the byte or field: ``too_big`` is the refusal of a file over ``max_bytes``,
    ``not_a_mapping`` that of a file holding no mapping.
    """
    if len(data) > max_bytes:
        raise InputRefused(file, "", too_big)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputRefused(file, f"byte {error.start}", "the file is not UTF-8 text") from None
    try:
        value = load_yaml(text, file)
    except YamlProblem as problem:
        raise InputRefused(file, "", f"not valid YAML: {problem}") from None
    if not isinstance(value, dict):
        raise InputRefused(file, "", not_a_mapping)
    return value


def _yaml_error_text(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(problem)


def _check_yaml_graph(root: Node, file: str, field: str) -> None:
    """Refuse a node graph that is too deep or expands past MAX_YAML_NODES."""
    expanded: dict[int, int] = {}
    # Post-order walk without recursion, memoised by node identity, so shared
    # (aliased) nodes cost once: linear in the document.  A recursive alias
    # makes a cycle, which runs into the depth limit.
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if id(node) in expanded:
            continue
        if depth > MAX_NESTING:
            raise CardRefused(file, field, f"YAML is nested more than {MAX_NESTING} levels deep")
        children = _yaml_children(node)
        if children_done:
            total = 1 + sum(expanded[id(child)] for child in children)
            if total > MAX_YAML_NODES:
                if len(expanded) >= MAX_YAML_NODES // 2:  # as written, not by aliases
                    raise CardRefused(
                        file,
                        field,
                        f"YAML holds more than {MAX_YAML_NODES // 2:,} values, "
                        "more than any card needs; the file is refused",
                    )
                raise CardRefused(
                    file,
                    field,
                    "YAML aliases expand to more than "
                    f"{MAX_YAML_NODES:,} values (an alias bomb); the file is refused",
                )
            expanded[id(node)] = total
        else:
            stack.append((node, depth, True))
            stack.extend(
                (child, depth + 1, False) for child in children if id(child) not in expanded
            )


def _check_yaml_tree(root: Node, file: str, field: str) -> None:
    """:func:`_check_yaml_graph` for a document without aliases: depth and size, in one walk."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise CardRefused(file, field, f"YAML is nested more than {MAX_NESTING} levels deep")
        count += 1
        if count > MAX_YAML_NODES:
            raise CardRefused(
                file,
                field,
                f"YAML holds more than {MAX_YAML_NODES // 2:,} values, "
                "more than any card needs; the file is refused",
            )
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _yaml_children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _json_shaped(value: Any) -> Any:
    """Turn YAML scalars JSON cannot hold (dates, bytes, odd keys) into strings."""
    if isinstance(value, dict):
        return {_json_key(key): _json_shaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_shaped(item) for item in value]
    if isinstance(value, set | frozenset):
        # A ``!!set``: its members in one order, the same in every process (a Python
        # set's order follows string hashes, which change from one process to the next).
        return [_json_shaped(item) for item in sorted(value, key=_member_order)]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _member_order(member: Any) -> tuple[str, str]:
    """Where a member of a YAML ``!!set`` goes: its members are scalars, each with a repr."""
    return type(member).__name__, repr(member)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return ""
    return str(_json_shaped(key))


HUB_COMPARE_BYTES = 64 * 1024
"""Front matter up to this size (pure-Python YAML reads ~200 KB/s) is also read as the Hub does."""


def hub_yaml_difference(text: str, ours: Any) -> str | None:
    """How the Hub's own client would read the YAML ``text`` differently from ``ours``, or None.

    ``huggingface_hub`` reads front matter with PyYAML's pure-Python safe loader
    and YAML 1.1 rules: it rejects what libyaml accepts (a tab inside a flow
    list) and reads ``no``, ``yes``, ``on`` and ``off`` as booleans.  ``text``
    has already passed :func:`load_yaml`, so its aliases and depth are bounded.
    """
    if len(text) > HUB_COMPARE_BYTES:
        return None
    if _SIMPLE_FRONT_MATTER.fullmatch(text):
        # Both readers parse this subset alike (a test checks it against both), so
        # only the YAML 1.1 booleans can differ, and libyaml reads them as fast.
        if not _YAML_1_1_ONLY_BOOLEAN.search(text):
            return None
        return _difference(ours, _json_shaped(yaml.load(text, Loader=_Yaml11Base)))
    loader = yaml.SafeLoader(text)
    try:
        theirs = _json_shaped(loader.get_single_data())
    except yaml.YAMLError as error:
        return (
            f"the Hub's own YAML reader cannot read it ({_yaml_error_text(error)}), "
            "so on the Hub this card shows none of its metadata"
        )
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    finally:
        loader.dispose()
    return _difference(ours, theirs)


def _difference(ours: Any, theirs: Any) -> str | None:
    """How the Hub's reading ``theirs`` of the front matter differs from ``ours``, or None."""
    if theirs == ours:
        return None
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(key for key in set(ours) | set(theirs) if ours.get(key) != theirs.get(key))
        first = keys[0]
        return (
            f"the Hub's own YAML reader (YAML 1.1) reads {', '.join(keys[:5])} differently: "
            f"{first} is {theirs.get(first)!r} there, {ours.get(first)!r} here"
        )
    return "the Hub's own YAML reader (YAML 1.1) reads it differently"


_Yaml11Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml with PyYAML's own (YAML 1.1) resolvers: the Hub's reading of the simple subset."""

_YAML_1_1_ONLY_BOOLEAN = re.compile(
    r"(?=[yYnNoO])\b(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)\b"
)
"""A word YAML 1.1 reads as a boolean and YAML 1.2 as a string (found anywhere: a superset).

The look-ahead for the words' first letters changes nothing it finds; it lets the
search skip every other character at once (three times as fast)."""

_FIRST = r"(?:\w|[(/~+$^]|\.(?=\w)|-(?=\d))"
_MIDDLE = r"[\w.()+=<>;@%?~$^/-]"
_BLOCK_MIDDLE = rf"(?:{_MIDDLE}|[,'\"#]|:(?=[\w./-]))"
_KEY_PLAIN = rf"{_FIRST}(?:{_MIDDLE}| +(?={_MIDDLE}))*"
_BLOCK_PLAIN = rf"{_FIRST}(?:{_BLOCK_MIDDLE}| +(?=[\w.()+=<>;@%?~$^/,'\"-]|:(?=[\w./-])))*"
_QUOTED = r"'(?:[^'\n]|'')*'|\"[^\"\\\n]*\""
_FLOW_ITEM = rf"(?:{_KEY_PLAIN}|{_QUOTED})"
_FLOW_LIST = rf"\[ *(?:{_FLOW_ITEM}(?: *, *{_FLOW_ITEM})* *)?\]"
_VALUE = rf"(?:{_BLOCK_PLAIN}|{_QUOTED}|{_FLOW_LIST}|\{{\}})"
_ENTRY = rf"(?:- +)*(?:{_KEY_PLAIN}|{_QUOTED}):(?: +{_VALUE})?|(?:- +)+{_VALUE}|(?:- +)*-"
_LINE = rf" *(?:#[^\n]*|(?:{_ENTRY})? *(?: #[^\n]*)?)"
_SIMPLE_FRONT_MATTER = re.compile(
    rf"(?=[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*\Z)"
    rf"(?>{_LINE}\n)*+(?>{_LINE})"
)
"""Block YAML of one-line entries: keys, plain words, quotes without escapes, flat lists.

No tabs, tags, anchors, block or multi-line scalars, directives or document
markers: PyYAML's pure-Python reader and libyaml read this subset alike
(``tests/formats/test_hub_yaml_subset.py`` checks it on generated documents), so
the slow pure-Python reading is needed only outside it.  Each line is matched
atomically: linear time.
"""
