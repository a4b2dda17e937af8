"""Take a saved OOXML package (a DOCX, the proof list's XLSX), produce it with fixed dates and entry order.

python-docx and XlsxWriter stamp zip entries and core properties with the current time; a build
must give the same bytes for the same input, so dates come from SOURCE_DATE_EPOCH or are fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from lxml import etree  # type: ignore[import-untyped]

from builder.model.dates import source_date_epoch

DEFAULT_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # core properties when SOURCE_DATE_EPOCH is not set
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
DCTERMS = "http://purl.org/dc/terms/"
FIRST = ("[Content_Types].xml", "_rels/.rels")


def document_date() -> datetime:
    """The created/modified date of a document: SOURCE_DATE_EPOCH, else 2000-01-01 (never the clock)."""
    return source_date_epoch() or DEFAULT_DATE


def zip_date() -> tuple[int, int, int, int, int, int]:
    """The date of every zip entry: SOURCE_DATE_EPOCH, else 1980-01-01 (clamped to what zip can hold)."""
    when = source_date_epoch()
    if when is None or when.year < 1980:
        return ZIP_EPOCH
    if when.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def entry_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml first, then the package relationships, then by name."""
    return (FIRST.index(name) if name in FIRST else len(FIRST), name)


def repack(blob: bytes, rewrite: Mapping[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """The zip `blob` again, entries in a stable order, each dated `zip_date()`; `rewrite` edits entries by name."""
    with ZipFile(BytesIO(blob)) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    for name, edit in (rewrite or {}).items():
        if name in contents:
            contents[name] = edit(contents[name])
    return packed(contents)


def packed(contents: Mapping[str, bytes]) -> bytes:
    """A zip of `contents` by entry name, entries in a stable order, each dated `zip_date()`."""
    date = zip_date()
    out = BytesIO()
    with ZipFile(out, "w") as target:
        for name in sorted(contents, key=entry_order):
            data = contents[name]
            info = ZipInfo(name, date_time=date)
            info.compress_type = ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, data, compresslevel=6)
    return out.getvalue()


def core_dates(xml: bytes, when: datetime) -> bytes:
    """docProps/core.xml with dcterms:created and dcterms:modified set to `when`."""
    root = etree.fromstring(xml)
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag in ("created", "modified"):
        for found in root.iter(f"{{{DCTERMS}}}{tag}"):
            found.text = stamp
    return serialise(root)


def serialise(root: etree._Element) -> bytes:
    """An OOXML part's bytes: UTF-8 with the declaration Word writes (standalone)."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data
