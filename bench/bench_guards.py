"""CPU time of the worst inputs the Markdown guards know, at the size limit (not a test).

    .venv/bin/python bench/bench_guards.py [--only NAME]

For each pathological shape (a unit repeated up to the 512 KB limit), prints:

- the full-size text: refused (and how fast) or accepted, in CPU seconds;
- the worst accepted one: the shape shrunk by 20 % steps until the guards accept it, so it
  sits just under a guard's limit; that is the most such a shape can cost.

Both are compared with the floor, a 512 KB plain French prose text rendered in the same
run. Goal: every line under 1 s of CPU (time.process_time, the process's own time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 1.0


def numbered(template: str) -> Callable[[int], str]:
    return lambda n: "".join(template.format(i=i) for i in range(n))


def repeated(unit: str, head: str = "", tail: str = "") -> Callable[[int], str]:
    return lambda n: head + unit * n + tail


# name -> text of n units; the worst shapes found for each guard and each costly step.
CASES: dict[str, Callable[[int], str]] = {
    # nesting (the old regex never returned on these)
    "quote markers '> ' on one line": repeated("> ", tail="x"),
    "list markers '- ' + x": repeated("- ", tail="x"),
    "ordered markers '1. '": repeated("1. "),
    "99-level quote lines": repeated("> " * 99 + "x\n"),
    "99-level lists by indent": lambda n: "".join("  " * (i % 99) + "- x\n" for i in range(n)),
    "setext underline 117 '-'": repeated("Titre\n" + "-" * 117 + "\n\n"),
    # blocks split line by line (quadratic in the block's length)
    "'# h' lines, no blank line": repeated("# h\n"),
    "text + rule lines": repeated("a\n***\n"),
    "definitions 'a / : b'": repeated("a\n: b\n"),
    "abbreviations '*[A]: x'": repeated("*[HTML]: x\n"),
    # many blocks (linear, ~40 µs each)
    "paragraphs 'a'": repeated("a\n\n"),
    "list items": repeated("- a\n"),
    "table rows": repeated("| 1 | 2 |\n", head="| a | b |\n|---|---|\n"),
    "tables": repeated("| a | b |\n|---|---|\n| 1 | 2 |\n\n"),
    "footnote definitions": numbered("[^{i}]: n\n\n"),
    "footnote references": repeated("x[^1] ", tail="\n\n[^1]: note\n"),
    "distinct abbreviations": lambda n: "".join(f"*[A{i}]: x\n" for i in range(n)) + "A1 " * n,
    "reference links": numbered("[l{i}]: http://e.org/{i}\n[x][l{i}]\n\n"),
    "fenced code blocks": repeated("```\nx\n```\n\n"),
    "highlighted code blocks": repeated("```python\nx\n```\n\n"),
    "code blocks of 400 lines": repeated("```\n" + "a\n" * 400 + "```\n\n"),
    "HTML blocks": repeated("<div>a</div>\n\n"),
    # inline processing (quadratic in one paragraph's markup)
    "'[' in an indented 'fence'": repeated("[", head="    ```\n\n"),
    "'[' run": repeated("["),
    "'![' run": repeated("!["),
    "'[a](' run": repeated("[a]("),
    "nested '[[...]]'": lambda n: "[" * n + "]" * n,
    "'*a* ' emphasis": repeated("*a* "),
    "'_' run": repeated("_"),
    "'`' run": repeated("`"),
    "'` ' code spans": repeated("` "),
    "'\\\\' escapes": repeated("\\\\"),
    "'&amp; ' entities": repeated("&amp; "),
    "'~~a ' strike": repeated("~~a "),
    "'<' run": repeated("<"),
    "'<b>a</b> ' inline HTML": repeated("<b>a</b> "),
    "bare URLs": repeated("http://a.b "),
    "'a\\n' lines, one paragraph": repeated("a\n"),
    # raw HTML parser (scans to the next '>' for each '<tag')
    "'<a ' run": repeated("<a "),
    "'<a' blocks": repeated("<a\n\n"),
    "'<!--' unclosed": repeated("<!--"),
    "'<!-- >' run": repeated("<!-- >"),
    "'</' run": repeated("</"),
    # Pygments: beyond 16 KB, 500-character lines or 100-character word runs, no colours
    "java words (plain beyond bounds)": repeated("a\n", head="```java\n", tail="```\n"),
    "csharp word runs under 100": repeated("```csharp\n" + ("a\n" * 49 + ";\n") * 8 + "```\n\n"),
    "java word runs under 100": repeated("```java\n" + ("a\n" * 49 + ";\n") * 4 + "```\n\n"),
    "perl quote lines under 500": repeated("```perl\n" + ("'\\" * 249 + "\n") * 8 + "```\n\n"),
    "apache '<' lines under 500": repeated("```apache\n" + ("<" * 499 + "\n") * 8 + "```\n\n"),
    "python code '('": repeated("(", head="```python\n", tail="\n```\n"),
    "python code, 499-char lines": repeated(("(" * 499 + "\n"), head="```python\n", tail="```\n"),
    "unclosed fence + '['": repeated("[", head="```\n"),
}


def say(line: str = "") -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def cpu(text: str) -> tuple[float, str]:
    from blog.rendering import RenderError, render_markdown

    start = time.process_time()
    try:
        html = render_markdown(text)
        outcome = f"accepted ({len(html) // 1024} KB of HTML)"
    except RenderError as exc:
        outcome = f"refused: {str(exc)[:60]}"
    return time.process_time() - start, outcome


def prose(limit: int) -> str:
    sentence = (
        "Quoi de mieux pour une reconversion qu'une petite période de confinement ? "
        "Les missions arrivent, les devis partent et l'équipe apprend. "
    )
    paragraph = sentence * 5 + "\n\n"
    text = paragraph * (limit // len(paragraph.encode()))
    return text + "a" * (limit - len(text.encode()))


def largest(make: Callable[[int], str], limit: int) -> int:
    low, high = 1, 2
    while len(make(high).encode()) <= limit:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if len(make(mid).encode()) <= limit else (low, mid)
    return low


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.conf import settings

    limit = settings.CARNET_MAX_MARKDOWN_BYTES
    cpu("warm up the extensions")
    floor, outcome = cpu(prose(limit))
    say(f"size limit {limit // 1024} KB; floor (512 KB of prose) {floor:.2f} s CPU, {outcome}")
    say()
    say(f"{'input':34} {'full size':>10}  {'worst accepted':>24}  {'ratio':>5}  outcome")
    worst = 0.0
    for name, make in CASES.items():
        if args.only and args.only not in name:
            continue
        n = largest(make, limit)
        full, outcome = cpu(make(n))
        accepted_n, accepted_cpu = n, full
        while outcome.startswith("refused") and accepted_n > 1:
            accepted_n = int(accepted_n * 0.8)
            accepted_cpu, again = cpu(make(accepted_n))
            if not again.startswith("refused"):
                break
        size = len(make(accepted_n).encode()) // 1024
        worst = max(worst, full, accepted_cpu)
        flag = "" if max(full, accepted_cpu) < GOAL else "  OVER GOAL"
        say(
            f"{name:34} {full:9.2f}s  {accepted_cpu:6.2f}s at {size:4d} KB ({accepted_n:6d})"
            f"  {accepted_cpu / floor:4.1f}x  {outcome}{flag}",
        )
    say(f"\nworst: {worst:.2f} s CPU (goal < {GOAL:.0f} s)")


if __name__ == "__main__":
    main()
