"""Writers: each takes a `Document` and a `Style` and returns the bytes of one format.

`writer(name)` gives the writer of a format; every writer has the signature `write(document, style)`
(keyword-only extras allowed, such as the DOCX writer's `toc_pages`). Each writer is imported
when it is first asked for: a build's worker process imports only the one it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from builder.document import Document
from builder.style import Style

Writer = Callable[[Document, Style], bytes]
FORMATS = ("docx", "html", "pdf")


def writer(name: str) -> Writer:
    """The writer of format `name`, one of `FORMATS`."""
    if name not in FORMATS:
        raise ValueError(f"no writer for {name!r}: expected one of {', '.join(FORMATS)}")
    write: Writer = importlib.import_module(f"builder.writers.{name}").write
    return write


__all__ = ["FORMATS", "Writer", "writer"]
