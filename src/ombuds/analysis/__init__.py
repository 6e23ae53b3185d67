"""Record linkage in the web app: imported person lists, linkage runs, review, unique persons.

See docs/analysis.md. The engine itself is :mod:`ombuds.linkage` (no Django).
"""
