"""`s2sad show|save|check|graph FILE:FUNC`: generated gradient modules, and pictures of the
DAG they differentiate, from the command line.

FILE is imported as a module, so its top-level code runs (guard a script's work with
`if __name__ == "__main__":`); FUNC is then read from it. `s2sad show` colours the module
with pygments when it writes to a terminal (`--color`). `s2sad operators` prints the
catalogue of supported operators (Markdown); `s2sad operators > docs/operators.md`
regenerates docs/operators.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence

from . import highlight
from .api import GradFunction, grad
from .errors import S2SADError
from .graph import GraphvizError
from .graph import write as write_graph


def load_function(spec: str):
    """The function FUNC of the Python file FILE, from `FILE:FUNC`: FILE is imported, its
    top-level code run."""
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise SystemExit(f"s2sad: expected FILE:FUNC, got {spec!r}")
    if not os.path.isfile(path):
        raise SystemExit(f"s2sad: no such file: {path}")
    module_name = "s2sad_cli_" + os.path.splitext(os.path.basename(path))[0]
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        module_spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    target = module
    for part in name.split("."):
        if not hasattr(target, part):
            raise SystemExit(f"s2sad: {path} defines no {name!r}{_defined_functions(module)}")
        target = getattr(target, part)
    return target


def _defined_functions(module) -> str:
    """`; it defines f, g`: the functions (and gradients) the module defines at its top level."""
    names = [n for n, v in vars(module).items() if not n.startswith("_")
             and (isinstance(v, GradFunction) or getattr(v, "__module__", None) == module.__name__
                  and callable(v) and not isinstance(v, type))]
    return f"; it defines {', '.join(names)}" if names else "; it defines no functions"


def _colored(requested: str) -> bool:
    """Whether `show` colours its output: `always`, `never`, or (`auto`) on a terminal."""
    if requested == "auto":
        return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and highlight.available()
    if requested == "always" and not highlight.available():
        print("s2sad: --color=always needs pygments (pip install pygments); printing plain text",
              file=sys.stderr)
    return requested == "always"


def gradient_function(spec: str, wrt: str | None) -> GradFunction:
    """The gradient of FILE:FUNC; a function decorated with s2sad keeps its `wrt` unless given."""
    target = load_function(spec)
    names = tuple(w.strip() for w in wrt.split(",")) if wrt else None
    if isinstance(target, GradFunction):
        if names is None:
            return target
        target = target.fun
    if names is not None and len(names) == 1:
        names = names[0]
    return grad(target, wrt=names)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `s2sad` command."""
    parser = argparse.ArgumentParser(prog="s2sad", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the generated gradient module")
    save = commands.add_parser("save", help="write the generated gradient module to a file")
    check = commands.add_parser("check", help="check that s2sad can differentiate FILE:FUNC")
    graph = commands.add_parser("graph", help="draw the DAG s2sad differentiates (DOT, SVG, PNG)")
    for command in (show, save, check, graph):
        command.add_argument("target", metavar="FILE:FUNC",
                             help="FUNC in the Python file FILE; FILE is imported (its "
                             "top-level code runs)")
        command.add_argument("--wrt", help="comma-separated argument names (default: the first)")
    show.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the module with pygments: on a terminal (auto, the "
                      "default), always, or never")
    save.add_argument("-o", "--output", required=True, help="the .py file to write")
    save.add_argument("-f", "--force", action="store_true", help="replace an existing file")
    graph.add_argument("--backward", action="store_true", help="draw the adjoint graph")
    graph.add_argument("-o", "--output", help="the .dot, .svg or .png file (default: DOT on stdout)")
    commands.add_parser("operators", help="print the catalogue of supported operators (Markdown)")
    args = parser.parse_args(argv)
    if args.command == "operators":
        from .catalog import render

        sys.stdout.write(render())
        return 0
    try:
        function = gradient_function(args.target, args.wrt)
        source = function.source
        if args.command == "show":
            sys.stdout.write(highlight.terminal(source) if _colored(args.color) else source)
        elif args.command == "save":
            function.save(args.output, overwrite=args.force)
            print(f"wrote {args.output}")
        elif args.command == "graph":
            text = function.graph(backward=args.backward)
            if args.output is None:
                sys.stdout.write(text)
            else:
                write_graph(text, args.output)
                print(f"wrote {args.output}")
        else:
            print(f"ok: s2sad differentiates {args.target} with respect to {', '.join(function.wrt)}")
    except S2SADError as error:
        print(f"s2sad: {error}", file=sys.stderr)
        return 1
    except (FileExistsError, GraphvizError) as error:
        print(f"s2sad: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
