"""Bounds on what one Markdown text may cost to render.

Python-Markdown and its extensions are fine on real posts but superlinear on crafted ones:
a block parser that re-reads the rest of a block after each heading, an inline processor
that rebuilds the paragraph after each match, link parsing that scans to the end for each
unclosed "[", an HTML parser that scans to the next ">" for each "<a". Each guard below
measures, in one pass and without backtracking regular expressions, the quantity that
drives one of these costs and refuses the text before the expensive step runs. The limits
keep any text under the size limit within about a second of CPU (bench/bench_guards.py)
and sit far above what real posts use.

The guards run inside the Markdown pipeline, right after the step that hides what they
must not count: fenced code is already stashed when the block guard reads the lines, and
code spans are atomic when the inline guard reads the tree. So a guard sees exactly the
text the costly step will see, and no fence-looking line can hide text from it.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from django.utils.translation import gettext as _
from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX, AtomicString
from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name
from pygments.util import ClassNotFound
from pymdownx.highlight import Highlight, HighlightExtension


class RenderError(ValueError):
    """The Markdown cannot be rendered; the message says why, for a person."""


# Lists and quotes: Python-Markdown recurses once per level.
MAX_NESTING = 100
# Paragraphs, list items, headings, table rows, definitions: ~40 µs each to parse and
# serialize; a fenced code block costs ~300 µs (one Pygments run), so it counts for 10.
MAX_BLOCK_UNITS = 10_000
CODE_BLOCK_UNITS = 10
# SuperFences walks every line of the text again for each code block it finds.
MAX_FENCE_COST = 25_000_000
# Abbreviations and footnote references are quadratic in their number (Python-Markdown
# rescans the others for each one; 1,000 cost ~0.6 s).
MAX_ABBREVIATIONS = 300
MAX_FOOTNOTE_REFERENCES = 500
# Pygments lexers backtrack on some inputs (Java or C# on a long run of words, Perl or
# JavaScript on a long line of quotes: quadratic, 60 KB took 20-90 s). Code is coloured
# only within these bounds; beyond them it is shown as plain text (nothing is refused).
MAX_HIGHLIGHTED_CHARS = 16 * 1024
MAX_HIGHLIGHTED_LINE = 500
MAX_HIGHLIGHTED_WORD_RUN = 100
# Lexers measured fast on 16 KB runs of words ("a" lines, "a " runs, "import a" lines: < 0.2 s);
# the others (Java, C#, Groovy...) only colour blocks whose word runs are short.
_LINEAR_ON_WORDS = frozenset(
    get_lexer_by_name(name).aliases[0]
    for name in (
        "python", "sql", "bash", "console", "yaml", "json", "toml", "ini", "markdown", "diff",
        "html", "css", "javascript", "typescript", "go", "rust", "php", "ruby", "c", "cpp",
        "xml", "docker",
    )
)  # fmt: skip
_WORD_RUN = re.compile(r"[\w\s.$\[\]<>?]{" + str(MAX_HIGHLIGHTED_WORD_RUN + 1) + ",}")
# Block processors re-read the rest of a block after each heading, rule or definition
# found in it: cost = such lines x lines of the block, summed over the text.
MAX_SPLIT_COST = 4_000_000
# Inline processing rebuilds a paragraph after each match (C speed): cost = markup
# characters x length of the paragraph, summed over the text. Every markup character
# also costs a few µs on its own.
MAX_INLINE_COST = 600_000_000
MAX_MARKUP_CHARS = 100_000
# The link parser reads, in Python, from each "[" (and "(" of a "](") to its match, or to
# the end of the paragraph when there is none ("[" * 8000 took ~9 s).
MAX_BRACKET_SCAN = 2_000_000
# Each "<tag" makes the HTML parser scan to the next ">".
MAX_TAG_SCAN = 3_000_000

_MARKUP = frozenset("*_`\\&<[]()!~@:^=")
_FENCE = re.compile(r"[ \t]*(?:`{3,}|~{3,})")


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text[:40] + ("…" if len(text) > 40 else "")


def _refuse_nesting() -> RenderError:
    return RenderError(
        _("The text nests lists or quotes more than %(limit)d levels deep.")
        % {"limit": MAX_NESTING}
    )


def _too_many_blocks() -> RenderError:
    return RenderError(
        _(
            "The text has more than %(limit)d paragraphs, list items, headings, "
            "table rows or code blocks; split it into several posts."
        )
        % {"limit": MAX_BLOCK_UNITS}
    )


def _line_depth(line: str) -> int:
    """Levels of list/quote nesting a line opens: its markers, plus 2 spaces of indentation
    before a marker for one level (nested lists are indented by 2).

    A scan of the line's prefix that stops at the first character that is not a marker or
    a space; "-", "*" and "+" only count when followed by a space, so rules and setext
    underlines ("-----", "- - -", "***") open nothing.
    """
    stripped = line.strip()
    if len(stripped) >= 3 and len(set(stripped) - {" ", "\t"}) == 1 and stripped[0] in "-*_=":
        return 0
    depth = 0
    i, n = 0, len(line)
    while i < n and depth <= MAX_NESTING:
        start = i
        while i < n and line[i] in " \t":
            i += 1
        indent = (i - start) // 2
        if i >= n:
            break
        c = line[i]
        if c == ">" or c in "*+-" and (i + 1 == n or line[i + 1] in " \t"):
            i += 1
        elif c.isdecimal():  # any Unicode digit, as Python-Markdown's \d
            j = i
            while j < n and j - i < 10 and line[j].isdecimal():
                j += 1
            if j < n and line[j] in ".)" and (j + 1 == n or line[j + 1] in " \t"):
                i = j + 1
            else:
                break
        else:
            break
        depth += 1 + indent
    return depth


def _is_split_line(stripped: str) -> bool:
    """A line that makes a block processor cut the block and re-read the rest."""
    if not stripped:
        return False
    c = stripped[0]
    if c in "#:":
        return True
    if c in "-=*_" and set(stripped) <= {c, " ", "\t"}:
        return True
    return stripped.startswith(("*[", "[^")) or (c == "[" and "]:" in stripped)


class _FenceGuard(Preprocessor):
    """Before SuperFences, which is slow per block: bound the number of code blocks."""

    def run(self, lines: list[str]) -> list[str]:
        # Opening and closing lines; an overcount for an unclosed fence is harmless.
        fences = (sum(1 for line in lines if _FENCE.match(line)) + 1) // 2
        if fences * CODE_BLOCK_UNITS > MAX_BLOCK_UNITS:
            raise _too_many_blocks()
        if fences * len(lines) > MAX_FENCE_COST:
            raise RenderError(
                _(
                    "The text has too many code blocks for its length (%(blocks)d blocks in "
                    "%(lines)d lines); split it into several posts."
                )
                % {"blocks": fences, "lines": len(lines)}
            )
        # Read by _BlockGuard: each code block costs a Pygments run.
        self.md.carnet_code_blocks = fences  # type: ignore[attr-defined]
        return lines


class _BoundedHighlight(Highlight):
    """Colours code only within the bounds above; plain text beyond them."""

    def get_lexer(self, src, language, inline, stripnl):
        if language and self._risky(src, language):
            language = ""
        return super().get_lexer(src, language, inline, stripnl)

    def _risky(self, src: str, language: str) -> bool:
        # Decided before the lexer is made: some (C#) compile their rules per instance.
        used = getattr(self.md, "carnet_highlighted", 0) + len(src)
        if used > MAX_HIGHLIGHTED_CHARS or max(map(len, src.split("\n"))) > MAX_HIGHLIGHTED_LINE:
            return True
        try:
            alias = find_lexer_class_by_name(language.split(" ")[0]).aliases[0]
        except (ClassNotFound, IndexError):
            alias = ""
        if alias not in _LINEAR_ON_WORDS and _WORD_RUN.search(src):
            return True
        self.md.carnet_highlighted = used
        return False


class BoundedHighlightExtension(HighlightExtension):
    """pymdownx.highlight with _BoundedHighlight: SuperFences asks it for its highlighter."""

    def get_pymdownx_highlighter(self) -> type[Highlight]:
        return _BoundedHighlight


class _TagGuard(Preprocessor):
    """Before the raw-HTML step: each "<tag" costs a scan to the next ">"."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        cost = 0
        next_gt = -1
        for m in re.finditer(r"<[A-Za-z/!?]", text):
            pos = m.start()
            if next_gt < pos:
                found = text.find(">", pos)
                next_gt = found if found >= 0 else len(text)
            cost += next_gt - pos
            if cost > MAX_TAG_SCAN:
                raise RenderError(
                    _(
                        "The text has too many “<” signs opening HTML tags that are not "
                        "closed by “>” (near « %(start)s »); write “&lt;” or put such text "
                        "in a code block."
                    )
                    % {"start": _snippet(text[pos : pos + 40])}
                )
        return lines


class _BlockGuard(Preprocessor):
    """After fences and HTML blocks are stashed: nesting, number of blocks, block splits."""

    def run(self, lines: list[str]) -> list[str]:
        units = CODE_BLOCK_UNITS * getattr(self.md, "carnet_code_blocks", 0)
        split_cost = 0
        block_start = 0
        block_lines = 0
        block_splits = 0

        def close_block() -> None:
            nonlocal split_cost
            split_cost += block_splits * block_lines
            if split_cost > MAX_SPLIT_COST:
                raise RenderError(
                    _(
                        "The block of text starting with « %(start)s » has too many "
                        "headings, rules or definitions without a blank line between them; "
                        "add blank lines."
                    )
                    % {"start": _snippet(lines[block_start])}
                )

        abbreviations = 0

        def count(more: int) -> None:
            nonlocal units
            units += more
            if units > MAX_BLOCK_UNITS:
                raise _too_many_blocks()

        count(0)
        for number, line in enumerate(lines):
            stripped = line.strip()
            if not stripped:
                if block_lines:
                    close_block()
                block_lines = block_splits = 0
                continue
            if not block_lines:
                block_start = number
                count(1)
            block_lines += 1
            if stripped[0] == STX:
                count(1)  # a stashed HTML block (~80 µs) or code block (counted above too)
                continue
            depth = _line_depth(line)
            if depth > MAX_NESTING:
                raise _refuse_nesting()
            if _is_split_line(stripped):
                block_splits += 1
            # Each level of a nested line is parsed again by its container.
            if depth or stripped[0] in "#:*[" or "|" in stripped:
                count(max(depth, 1))
            if stripped.startswith("*["):
                abbreviations += 1
                if abbreviations > MAX_ABBREVIATIONS:
                    raise RenderError(
                        _("The text defines more than %(limit)d abbreviations.")
                        % {"limit": MAX_ABBREVIATIONS}
                    )
        if block_lines:
            close_block()
        return lines


def _bracket_scan_cost(text: str) -> int:
    """Characters Python-Markdown's link parser reads: from each "[" (and each "(" of a
    "](") to its match, or to the end of the text when it has none."""
    cost = 0
    for opener, closer in (("[", "]"), ("(", ")")):
        stack: list[int] = []
        for i, c in enumerate(text):
            if c == opener:
                stack.append(i)
            elif c == closer and stack:
                cost += i - stack.pop()
        cost += sum(len(text) - i for i in stack)
    return cost


class _InlineGuard(Treeprocessor):
    """Before inline processing: cost of each text the inline processor will rebuild."""

    def run(self, root: Element) -> None:
        total_cost = 0
        total_markup = 0
        total_scan = 0
        footnote_refs = 0
        for element in root.iter():
            texts = [element.tail]
            if element.tag not in ("pre", "code"):
                texts.append(element.text)
            for text in texts:
                if not text or isinstance(text, AtomicString):
                    continue
                markup = sum(1 for c in text if c in _MARKUP)
                if not markup:
                    continue
                total_markup += markup
                total_cost += markup * len(text)
                footnote_refs += text.count("[^")
                if footnote_refs > MAX_FOOTNOTE_REFERENCES:
                    raise RenderError(
                        _("The text has more than %(limit)d footnote references.")
                        % {"limit": MAX_FOOTNOTE_REFERENCES}
                    )
                if "[" in text:
                    total_scan += _bracket_scan_cost(text)
                    if total_scan > MAX_BRACKET_SCAN:
                        raise RenderError(
                            _(
                                "The paragraph starting with « %(start)s » has too many “[” "
                                "or “(” that are not closed; put such text in a code block."
                            )
                            % {"start": _snippet(text)}
                        )
                if total_cost > MAX_INLINE_COST or total_markup > MAX_MARKUP_CHARS:
                    raise RenderError(
                        _(
                            "The text has too much markup (links, emphasis, “[”, “<”, “&” "
                            "or “`” signs) for its paragraphs; the paragraph starting with "
                            "« %(start)s » is where it goes over. Split long paragraphs or "
                            "put such text in a code block."
                        )
                        % {"start": _snippet(text)}
                    )


class GuardExtension(Extension):
    """Register each guard just after the step that stashes what it must not count."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_FenceGuard(md), "carnet_fence_guard", 32)
        md.preprocessors.register(_TagGuard(md), "carnet_tag_guard", 22)
        md.preprocessors.register(_BlockGuard(md), "carnet_block_guard", 19)
        md.treeprocessors.register(_InlineGuard(md), "carnet_inline_guard", 25)
