"""Check a DOCX against the ISO/IEC 29500 Transitional schemas (data/ooxml) and its package's consistency.

`errors(docx)` lists every problem, one line each: `part: element path: message`; none means valid.

Each XML part is validated through `_driver.xsd`, which imports every namespace once, so the
schema for a part is picked by its root element's namespace. Markup Compatibility (ECMA-376
Part 3) is applied first, as a reader that knows only the standard's namespaces would apply it:
python-docx's template marks w14 ignorable and puts w14 elements in settings.xml, which the ISO
schemas do not declare. What that drops is not waved through when it can be checked: an element
in a namespace the driver has Microsoft's schema for is validated against that on its own.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "data" / "ooxml" / "schemas"
DRIVER = SCHEMAS / "_driver.xsd"
XSD = "{http://www.w3.org/2001/XMLSchema}"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"

Element = Any  # lxml has no type stubs here


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DRIVER)))


@cache
def namespaces() -> tuple[frozenset[str], frozenset[str]]:
    """(standard, extension): what an ISO-only reader understands, and Microsoft's namespaces the driver has schemas for."""
    imports = {i.get("namespace"): i.get("schemaLocation") for i in etree.parse(str(DRIVER)).iter(XSD + "import")}
    extension = frozenset(ns for ns, location in imports.items() if location.startswith("microsoft/"))
    return frozenset({XSI, *imports}) - extension, extension


def errors(docx: bytes | str | Path) -> list[str]:
    """Every schema error of every XML part of `docx`, then every package inconsistency."""
    with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as z:
        parts = {n: z.read(n) for n in z.namelist() if not n.endswith("/")}
    found: list[str] = []
    trees: dict[str, Element] = {}
    for name, blob in parts.items():
        if name.endswith((".xml", ".rels")):
            try:
                trees[name] = etree.fromstring(blob)
            except etree.XMLSyntaxError as exc:
                found.append(f"{name}: not well-formed: {exc}")
    # before the schemas: Markup Compatibility changes the trees, and a reader that knows w14 follows its r:ids
    found += package_errors(set(parts), trees)
    for name, root in trees.items():
        found += part_errors(name, root)
    return found


def part_errors(name: str, root: Element) -> list[str]:
    """`root` (changed in place by Markup Compatibility) against the schemas."""
    tree = root.getroottree()
    prefixes = {uri: prefix for prefix, uri in root.nsmap.items() if prefix}
    found: list[str] = []
    dropped: list[tuple[str, Element]] = []
    _compatibility(tree, root, frozenset(), frozenset(), found, dropped)
    found = [f"{name}: {line}" for line in found]
    found += _validate(name, tree, "", prefixes)
    for parent_path, element in dropped:
        if etree.QName(element).namespace not in namespaces()[1]:
            continue  # no schema to hold it to: a reader that does not know it ignores it, as it was told to
        alone = etree.ElementTree(etree.fromstring(etree.tostring(element)))
        found += _validate(name, alone, parent_path, prefixes)
    return found


def _validate(name: str, tree: Element, parent_path: str, prefixes: dict[str, str]) -> list[str]:
    if schema().validate(tree):
        return []

    def readable(message: str) -> str:
        return re.sub(r"\{([^}]*)\}", lambda m: prefixes[m[1]] + ":" if m[1] in prefixes else m[0], message)

    return [f"{name}: {parent_path}{e.path or ''}: {readable(e.message)}" for e in schema().error_log]


def _compatibility(
    tree: Element,
    element: Element,
    ignorable: frozenset[str],
    process: frozenset[tuple[str, str]],
    found: list[str],
    dropped: list[tuple[str, Element]],
) -> None:
    """ECMA-376 Part 3 on `element` and below: alternate content chosen, ignorable markup removed."""
    standard = namespaces()[0]
    path = tree.getpath(element)
    ignorable |= _namespaces(element, element.get(f"{{{MC}}}Ignorable"), path, found)
    for token in (element.get(f"{{{MC}}}ProcessContent") or "").split():
        prefix, _, local = token.partition(":")
        process |= {(element.nsmap.get(prefix), local)}
    for ns in _namespaces(element, element.get(f"{{{MC}}}MustUnderstand"), path, found) - standard:
        found.append(f"{path}: mc:MustUnderstand names {ns}, which this reader does not understand")
    for attribute in list(element.attrib):
        ns = etree.QName(attribute).namespace
        if ns == MC or (ns in ignorable and ns not in standard):
            del element.attrib[attribute]
    i = 0
    while i < len(element):
        child = element[i]
        if not isinstance(child.tag, str):
            i += 1
            continue
        name = etree.QName(child)
        if name.namespace == MC and name.localname == "AlternateContent":
            _replace(child, _chosen(child, tree, found))
        elif name.namespace in ignorable and name.namespace not in standard:
            if {(name.namespace, name.localname), (name.namespace, "*")} & process:
                _replace(child, list(child))
            else:
                dropped.append((path, child))
                element.remove(child)
        else:
            _compatibility(tree, child, ignorable, process, found, dropped)
            i += 1  # a replaced element's content lands at index i and is examined next


def _namespaces(element: Element, prefixes: str | None, path: str, found: list[str]) -> frozenset[str]:
    """The namespaces of a list of prefixes; an undeclared prefix is an error (Word refuses the file)."""
    out = set()
    for prefix in (prefixes or "").split():
        if prefix in element.nsmap:
            out.add(element.nsmap[prefix])
        else:
            found.append(f"{path}: prefix {prefix} in a compatibility attribute is not declared")
    return frozenset(out)


def _chosen(alternate: Element, tree: Element, found: list[str]) -> list[Element]:
    """The content of the first mc:Choice whose required namespaces are all understood, else mc:Fallback's."""
    for branch in alternate:
        if branch.tag == f"{{{MC}}}Choice":
            path = tree.getpath(branch)
            required = _namespaces(branch, branch.get("Requires"), path, found)
            if required and required <= namespaces()[0]:
                return list(branch)
        elif branch.tag == f"{{{MC}}}Fallback":
            return list(branch)
    return []


def _extension(name: str) -> str:
    """What a Default content type is chosen by: `_rels/.rels` has the extension `rels`."""
    base = posixpath.basename(name)
    return base.rpartition(".")[2].lower() if "." in base else ""


def _replace(old: Element, new: list[Element]) -> None:
    parent = old.getparent()
    at = parent.index(old)
    parent.remove(old)
    for offset, element in enumerate(new):
        parent.insert(at + offset, element)


def package_errors(names: set[str], trees: dict[str, Element]) -> list[str]:
    """Content types for every part, a part for every override and relationship, a relationship for every r:id."""
    found: list[str] = []
    types = trees.get(CONTENT_TYPES)
    if types is None:
        return [f"{CONTENT_TYPES}: missing"]
    defaults = {e.get("Extension", "").lower() for e in types if etree.QName(e).localname == "Default"}
    overrides = {e.get("PartName", "").lstrip("/") for e in types if etree.QName(e).localname == "Override"}
    for name in sorted(names - {CONTENT_TYPES}):
        if name not in overrides and _extension(name) not in defaults:
            found.append(f"{CONTENT_TYPES}: no content type for {name}")
    found += [f"{CONTENT_TYPES}: an override for {name}, which is not in the package" for name in overrides - names]

    ids: dict[str, set[str]] = {}
    for name, root in trees.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name).removesuffix(".rels"))
        if source and source not in names:
            found.append(f"{name}: relationships of {source}, which is not in the package")
        ids[source] = set()
        for rel in root:
            if rel.get("Id") in ids[source]:
                found.append(f"{name}: relationship id {rel.get('Id')} used twice")
            ids[source].add(rel.get("Id"))
            target = unquote(rel.get("Target", ""))
            if rel.get("TargetMode") == "External":
                continue
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if path not in names:
                found.append(f"{name}: {rel.get('Id')} targets {target}, which is not in the package")

    for name, root in trees.items():
        tree = root.getroottree()
        for element in root.iter("{*}*"):
            for attribute, value in element.attrib.items():
                if attribute.startswith(f"{{{R}}}") and value not in ids.get(name, set()):
                    where = tree.getpath(element)
                    found.append(f"{name}: {where}: r:{etree.QName(attribute).localname} {value} has no relationship")
    return found
