"""Where the builder keeps what it may reuse between builds: parsed fonts, compiled templates.

Everything kept is derived from inputs it is checked against, so deleting it changes nothing but
the time of the next build. The folder is `$BUILDER_CACHE_DIR/<kind>`, else
`$XDG_CACHE_HOME/report-builder/<kind>`, else `~/.cache/report-builder/<kind>`;
`BUILDER_CACHE_DIR=` (empty) turns every cache off.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "BUILDER_CACHE_DIR"


def directory(kind: str) -> Path | None:
    """The folder of one kind of cache entries; None when caching is turned off or there is no home."""
    raw = os.environ.get(ENV)
    if raw is not None:
        return Path(raw) / kind if raw.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "report-builder" / kind


def foreign(st: os.stat_result) -> bool:
    """Whether a cache entry belongs to another user: it is not ours to trust."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and st.st_uid != geteuid()
