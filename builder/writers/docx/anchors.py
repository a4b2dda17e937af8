"""What lets `builder refresh` find a built report's figures again once Word, WPS or LibreOffice has saved it.

Each figure's content control is tagged with its occurrence key, but LibreOffice (7.4) drops a
control's w:tag and w:alias when it saves, while it keeps the control, bookmarks by name and custom
document properties. So each control also sits inside a bookmark named after its key, and the
package's custom properties hold the report's title and the keys it was built with: refresh can
then refuse another report's DOCX, and tell a figure the editors deleted from one that the new
edition added since.

Bookmark names allow only letters, digits and `_`, at most 40 characters, and keys are Chinese with
dots and `@`: the name is `_F` and a hash of the key (the leading `_` makes it a hidden bookmark in
Word, kept out of the editors' bookmark list); the new edition's keys give the way back. Office
keeps a custom property's text to 255 characters, so the keys are stored in numbered pieces.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree  # type: ignore[import-untyped]

from builder.writers import ooxml
from builder.writers.docx.xml import Element, el

PREFIX = "_F"
HASH_CHARS = 16  # 64 bits: no two keys of a report share a name
EDITION = "ReportBuilder.Edition"  # the report's title
FIGURES = "ReportBuilder.Figures."  # + 1, 2, …: the keys built with, as JSON, in pieces
PIECE = 255
PART = "/docProps/custom.xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id Office gives user-defined properties
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
SPACE = re.compile(r"\s")


def bookmark_name(key: str) -> str:
    """The bookmark around the control of the figure printed at occurrence `key`."""
    return PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:HASH_CHARS]


def bookmark_around(element: Element, name: str, bookmark_id: int) -> None:
    """A bookmark `name` holding just `element` (an inline control), its ends beside it in the paragraph."""
    element.addprevious(el("w:bookmarkStart", {"w:id": str(bookmark_id), "w:name": name}))
    element.addnext(el("w:bookmarkEnd", {"w:id": str(bookmark_id)}))


# -- custom document properties --------------------------------------------------------------


def add_properties(doc: DocxDocument, edition: str, keys: Sequence[str]) -> None:
    """The custom properties part of `doc`: the report's title and the keys of its figure controls."""
    if len({bookmark_name(k) for k in keys}) != len(set(keys)):
        raise ValueError("two figure keys hash to the same bookmark name")
    package = doc.part.package
    part = Part(PackURI(PART), CT.OFC_CUSTOM_PROPERTIES, properties_xml(edition, keys), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def properties_xml(edition: str, keys: Sequence[str]) -> bytes:
    """docProps/custom.xml holding `edition` and `keys`."""
    values = [(EDITION, edition)]
    values += [(f"{FIGURES}{n}", piece) for n, piece in enumerate(_pieces(_keys_text(keys)), start=1)]
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(values, start=2):
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return ooxml.serialise(root)


def _keys_text(keys: Sequence[str]) -> str:
    """The keys as compact JSON with no whitespace at all, so that no reader can trim a piece's edges:
    whitespace can only be inside the strings, where a \\u escape means the same."""
    text = json.dumps(list(keys), ensure_ascii=False, separators=(",", ":"))
    return SPACE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _pieces(text: str) -> list[str]:
    return [text[i : i + PIECE] for i in range(0, len(text), PIECE)] or [""]


def read_properties(blob: bytes | None) -> dict[str, str]:
    """The text properties of a custom properties part by name ({} when there is none or it is unreadable)."""
    if not blob:
        return {}
    try:
        root = etree.fromstring(blob, PARSER)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        value = next((child for child in prop if isinstance(child.tag, str)), None)
        if value is not None and prop.get("name"):
            out[str(prop.get("name"))] = value.text or ""
    return out


def stored_edition(properties: dict[str, str]) -> str | None:
    return properties.get(EDITION) or None


def stored_keys(properties: dict[str, str]) -> list[str] | None:
    """The keys the report was built with; None when they are not all there (an older build, a damaged part)."""
    numbered = {int(name[len(FIGURES) :]): value for name, value in properties.items() if _is_piece(name)}
    if not numbered or sorted(numbered) != list(range(1, len(numbered) + 1)):
        return None
    try:
        keys = json.loads("".join(numbered[n] for n in sorted(numbered)))
    except ValueError:
        return None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return None
    return keys


def _is_piece(name: str) -> bool:
    return name.startswith(FIGURES) and name[len(FIGURES) :].isdigit()
