"""Charts as ReportLab `Drawing`s, the one chart layout of the PDF and the page: the PDF embeds the
drawing, the page renders the same drawing as SVG (`reportlab.graphics.renderSVG`).

Modules: `charts` (a tree `Chart` to a `Drawing`: bars, lines, wedges, axes, every label placed),
`chart_parts` (measured text, the value axis's scale, the legend, category labels), `chart_style`
(palette, ink, sizes, markers). Text is measured in the font the caller registered with ReportLab.
"""

import reportlab.rl_config

# Attribute checks on every chart shape cost a tenth of a chart's drawing and buy a report nothing
# (the PDF writer's `settings` turns them off too, with its own PDF settings).
reportlab.rl_config.shapeChecking = 0
