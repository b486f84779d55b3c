#!/usr/bin/env python
"""Functions longer than ~60 lines, and modules longer than ~500, outside migrations and tests.

A long function may stay long when a reason is written next to it: a comment starting with
`# Long:` on the lines just above its `def` (or its decorators). Such functions are listed as
explained; the others are listed as to split. `--check` exits 1 when any function or module is
over its limit without a reason (a module has no way out: split it).

    .venv/bin/python tools/long_functions.py [--lines 60] [--module-lines 500] [--check] [paths]
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {".venv", "migrations", "tests", "node_modules", ".git", "locale", "static"}
REASON = "# Long:"


def python_files(paths: list[str]):
    for base in paths or [str(ROOT)]:
        base = Path(base)
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            if not SKIP_PARTS.intersection(_shown(path).parts):
                yield path


def _shown(path: Path) -> Path:
    """The path from the project's folder when it is inside it, else as given."""
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


def _reason(lines: list[str], node) -> str | None:
    """The `# Long:` comment just above the function (above its decorators), if any."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1  # 0-based
    index = first - 1
    while index >= 0 and lines[index].strip().startswith("#"):
        if lines[index].strip().startswith(REASON):
            block = [line.strip().lstrip("#").strip() for line in lines[index:first]]
            return " ".join(block)[len(REASON) - 2:].strip()
        index -= 1
    return None


def long_functions(path: Path, limit: int):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                yield node.name, node.lineno, length, _reason(lines, node)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--module-lines", type=int, default=500)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    unexplained = 0
    for path in python_files(args.paths):
        shown = _shown(path)
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > args.module_lines:
            unexplained += 1
            print(f"{shown}: module of {count} lines: split it")
        for name, line, length, reason in long_functions(path, args.lines):
            if reason:
                print(f"{shown}:{line}: {name}, {length} lines (long: {reason})")
            else:
                unexplained += 1
                print(f"{shown}:{line}: {name}, {length} lines: split it or say why")
    return 1 if args.check and unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
