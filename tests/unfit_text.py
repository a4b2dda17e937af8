"""Characters no report can carry, by kind, for the tests of every door text comes in by."""

from __future__ import annotations

# private-use (the composer's markers among them) and non-characters that XML allows, so that a
# workbook's sheet can hold them
UNFIT_IN_XML = {
    "marker-figure": "\ue000",
    "marker-figure-end": "\ue001",
    "marker-block": "\ue002",
    "marker-block-end": "\ue003",
    "private-use-last": "\uf8ff",
    "private-use-plane-15": "\U000f0000",
    "private-use-plane-16": "\U0010fffd",
    "non-character-fdd0": "\ufdd0",
    "non-character-fdef": "\ufdef",
    "non-character-1fffe": "\U0001fffe",
    "non-character-10ffff": "\U0010ffff",
}
# and those it does not, which a template or prose file may still hold
UNFIT = UNFIT_IN_XML | {"non-character-fffe": "\ufffe", "non-character-ffff": "\uffff"}
