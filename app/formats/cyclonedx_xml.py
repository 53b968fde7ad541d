"""CycloneDX BOMs written as XML, turned into the JSON shape the CycloneDX reader takes.

CycloneDX defines the same BOM in JSON and in XML; the XML wraps every list in
a plural element (``<performanceMetrics><performanceMetric>…``) and puts some
fields in attributes (``bom-ref``, ``type``, a hash's ``alg``).  This module
maps that back onto the JSON names, so that one reader reads both.

XML is hostile until checked: a document type declaration (and with it every
entity, the way to billion laughs and to external files) is refused before
parsing, and nesting is bounded like JSON's.  Only the standard library's
expat parser is used; nothing in the file is fetched or executed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from countersign.formats.base import CardRefused
from countersign.formats.limits import MAX_NESTING

_NAMESPACE = re.compile(r"http://cyclonedx\.org/schema/bom/(\d+\.\d+)")
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

# Plural elements that hold a list, and the singular element of each item.
_LISTS = {
    "components": "component",
    "hashes": "hash",
    "licenses": None,  # <license> or <expression>
    "authors": "author",
    "externalReferences": "reference",
    "datasets": "dataset",
    "inputs": "input",
    "outputs": "output",
    "performanceMetrics": "performanceMetric",
    "collection": "graphic",
    "users": "user",
    "useCases": "useCase",
    "technicalLimitations": "technicalLimitation",
    "performanceTradeoffs": "performanceTradeoff",
    "ethicalConsiderations": "ethicalConsideration",
    "fairnessAssessments": "fairnessAssessment",
    "properties": "property",
    "tags": "tag",
    "energyConsumptions": "energyConsumption",
}


def looks_like_cyclonedx_xml(text: str) -> bool:
    """Whether ``text`` is an XML document in a CycloneDX BOM namespace."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    return head.startswith("<") and _NAMESPACE.search(head) is not None


def read_bom_xml(text: str, file: str) -> dict[str, Any]:
    """The BOM in ``text`` as CycloneDX JSON would hold it.

    Raises :class:`CardRefused` for a document type declaration, nesting past
    the limit, or XML that is not well formed.
    """
    declaration = _DECLARATION.search(text)
    if declaration is not None:
        line = text.count("\n", 0, declaration.start()) + 1
        raise CardRefused(
            file,
            f"line {line}",
            "the XML declares a document type or entities, which a BOM never needs; "
            "refused so that nothing expands or is fetched",
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        line, column = error.position  # expat counts columns from 0
        raise CardRefused(
            file, f"line {line} column {column + 1}", f"not well-formed XML: {error}"
        ) from None
    spec = _NAMESPACE.match(root.tag[1:].split("}", 1)[0]) if root.tag.startswith("{") else None
    bom: dict[str, Any] = {"bomFormat": "CycloneDX"}
    if spec is not None:
        bom["specVersion"] = spec.group(1)
    bom.update(_element(root, file, 1))
    return bom


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element(element: ET.Element, file: str, depth: int) -> Any:
    """One element as JSON: text, an object of its attributes and children, or a list."""
    if depth > MAX_NESTING:
        raise CardRefused(
            file, _local(element.tag), f"XML is nested more than {MAX_NESTING} levels deep"
        )
    name = _local(element.tag)
    children = list(element)
    text = (element.text or "").strip()
    if name in _LISTS:
        return [_item(child, file, depth + 1) for child in children]
    if not children and not element.attrib:
        return text
    value: dict[str, Any] = {key: item for key, item in element.attrib.items()}
    if text:
        value["value" if name == "property" else "content"] = text
    repeated: set[str] = set()  # keys made lists here, by elements that no list wraps
    for child in children:
        key = _local(child.tag)
        item = _element(child, file, depth + 1)
        if key in repeated:
            value[key].append(item)
        elif key in value:
            value[key] = [value[key], item]
            repeated.add(key)
        else:
            value[key] = item
    return value


def _item(child: ET.Element, file: str, depth: int) -> Any:
    """One item of a list; a licence item keeps its kind (``license`` or ``expression``)."""
    name = _local(child.tag)
    item = _element(child, file, depth)
    if name in ("license", "expression"):
        return {name: item}
    return item
