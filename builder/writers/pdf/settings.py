"""ReportLab settings, applied when the PDF writer is imported, before ReportLab's graphics are.

Attribute checks on every chart shape and ASCII85 wrapping of binary streams cost a fifth of a
build and buy a report nothing.
"""

import reportlab.rl_config

reportlab.rl_config.shapeChecking = 0
reportlab.rl_config.useA85 = 0
