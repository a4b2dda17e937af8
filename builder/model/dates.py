"""The date outputs carry: SOURCE_DATE_EPOCH when it is set, never the clock (same input, same bytes)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from builder.model.errors import UserError

ENV = "SOURCE_DATE_EPOCH"


class DateError(UserError):
    """SOURCE_DATE_EPOCH is set to something that is not a date: one line, exit 2."""


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) as a datetime; None when it is not set."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (ValueError, OverflowError, OSError):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise DateError(f"环境变量 {ENV}=“{shown}”：应为自1970-01-01起的整秒数（如 1609459200），或不设") from None
