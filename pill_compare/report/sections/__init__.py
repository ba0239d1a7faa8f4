"""Section builders: result objects → :class:`~pill_compare.report.structure.Section` trees.

One module per result (``diff``, ``imbalance``, ``eval``, ``compare``), each with a
``<name>_sections(result, lang="en", ...) -> list[Section]``; the renderers in
:mod:`pill_compare.report.render` turn any of them into text, Markdown or HTML. A builder only
arranges numbers the result already holds, with texts in the report's language.

Import a builder from its module (``from pill_compare.report.sections.diff import
diff_sections``): importing this package loads none of them.
"""
