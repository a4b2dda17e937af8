"""Jinja's compiled templates kept between builds, in the builder's cache folder (`builder.caches`).

Compiling the report's part templates is a tenth of reading and composing an edition; Jinja's
own bytecode cache keeps the result under the template's name, checked against the source's
checksum and Python's version, so an edited template is compiled afresh. Entries live in a
folder named for Jinja's version, as Jinja's own check does not cover it. A cache that cannot
be read or written is no cache: the template is compiled as if there were none. An entry is run
as code, so one that another user owns, or that holds anything but code, is not used.
"""

from __future__ import annotations

import contextlib
import os
import types

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from builder import caches


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file-system bytecode cache, made quiet: what fails to load or store is a miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            if caches.foreign(os.stat(self._get_cache_filename(bucket))):
                return
            super().load_bytecode(bucket)
        except Exception:  # no entry, or a truncated one: compile the template again
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(Exception):
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


def template_cache() -> TemplateCache | None:
    """The cache of compiled templates; None when caching is turned off."""
    folder = caches.directory("templates")
    return None if folder is None else TemplateCache(str(folder / f"jinja-{jinja2.__version__}"), "%s.jinja")
