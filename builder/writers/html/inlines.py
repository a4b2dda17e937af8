"""Take a block's inline runs, produce their HTML: text escaped, every figure in an element that
carries its occurrence key and source cells, as the DOCX's content controls carry the key.

A figure is `<span class="figure" data-key="总量.电话反映.占比@1" data-sources="总量!B4 总量!B3">`;
a missing one in a draft is a `<mark class="figure missing">` around 【待补】, so it shows; a final
build marks nothing (it has no missing figure to mark). The runs are written without whitespace
between them: a line break between two Chinese characters would show as a space.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from markupsafe import Markup, escape

from builder.document import Figure, Inline

Keys = Iterator[str]  # the occurrence keys of a block's figures, in reading order


def figure_attributes(figure: Figure, key: str) -> Markup:
    """` data-key="…" data-sources="…"` for the element that holds `figure`."""
    # escape() and concatenation: Markup.format costs a tenth of the page's time, a figure at a time
    return Markup(f' data-key="{escape(key)}" data-sources="{escape(" ".join(figure.sources))}"')


def figure_html(figure: Figure, key: str, final: bool, text: str | None = None) -> Markup:
    """One printed figure (as `text`, when given: a chart's label), marked when it is missing in a draft."""
    attrs = figure_attributes(figure, key)
    if figure.missing and not final:
        return Markup(f'<mark class="figure missing"{attrs}>{escape(figure.text)}</mark>')
    return Markup(f'<span class="figure"{attrs}>{escape(figure.text if text is None else text)}</span>')


def runs_html(runs: Iterable[Inline], keys: Keys, final: bool) -> Markup:
    """The runs of a paragraph or table cell; `keys` gives each figure its occurrence key."""
    parts: list[str] = []
    for run in runs:
        if isinstance(run, Figure):
            key = next(keys)  # taken for every figure, printed or not, as the walk counts them
            if run.text:
                parts.append(figure_html(run, key, final))
        elif run.text:
            parts.append(escape(run.text))
    return Markup("".join(parts))
