"""Markdown files in and out: front matter (``frontmatter``), old addresses (``oldurls``),
Gatsby page formats (``gatsby``), imported images (``images``), then ``importing`` and
``exporting``, one module per kind of thing (posts, pages), each sharing a ``common`` module.

Never prints: the management commands report. Import and export never import each other.
"""
