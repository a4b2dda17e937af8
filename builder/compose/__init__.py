"""Composing: take the figures and the derived figures, produce the document tree of one kind of report."""
