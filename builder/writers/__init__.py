"""Writers: each takes a `Document` and a `Style` and returns the bytes of one format.

`WRITERS` maps a format name to its writer; every writer has the signature `write(document, style)`
(keyword-only extras allowed, such as the DOCX writer's `toc_pages`).
"""

from __future__ import annotations

from collections.abc import Callable

from builder.document import Document
from builder.style import Style
from builder.writers import docx, pdf

Writer = Callable[[Document, Style], bytes]

WRITERS: dict[str, Writer] = {"docx": docx.write, "pdf": pdf.write}

__all__ = ["WRITERS", "Writer"]
