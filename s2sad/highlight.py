"""Generated source shown to a person: ANSI colours for a terminal, HTML and Markdown for
Jupyter. Colours come from pygments where it is installed (`pip install s2sad[highlight]`);
without it each form is plain text."""

from __future__ import annotations

import html
import re


def _pygments():
    """pygments' `highlight` and `PythonLexer`, or None where pygments is not installed."""
    try:
        from pygments import highlight
        from pygments.lexers import PythonLexer
    except ImportError:
        return None
    return highlight, PythonLexer


def available() -> bool:
    """Whether pygments is installed, so that `terminal` and `html_block` colour."""
    return _pygments() is not None


def terminal(source: str) -> str:
    """`source` with ANSI colour codes (pygments' 16-colour terminal formatter), or as it
    is without pygments."""
    found = _pygments()
    if found is None:
        return source
    from pygments.formatters import TerminalFormatter

    highlight, lexer = found
    return highlight(source, lexer(stripnl=False), TerminalFormatter())


def html_block(source: str) -> str:
    """`source` as an HTML block with inline styles (no stylesheet needed), or escaped in a
    `<pre>` without pygments."""
    found = _pygments()
    if found is None:
        return f"<pre>{html.escape(source)}</pre>"
    from pygments.formatters import HtmlFormatter

    highlight, lexer = found
    return highlight(source, lexer(stripnl=False), HtmlFormatter(noclasses=True))


def markdown_block(source: str, language: str = "python") -> str:
    """`source` in a fenced Markdown code block, the fence longer than any run of
    backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    body = source if source.endswith("\n") else source + "\n"
    return f"{fence}{language}\n{body}{fence}\n"
