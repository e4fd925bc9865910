#!/usr/bin/env python3
"""Regenerate the syscall and error tables of docs/abi.md from include/nexus/*.h (the X-macro
lists), between the GENERATED markers. With --check, fail if the document is out of date."""
import re
import sys

ROOT = __file__.rsplit("/tools/", 1)[0]
BEGIN, END = "<!-- GENERATED: begin -->", "<!-- GENERATED: end -->"


def tables():
    sys_h = open(f"{ROOT}/include/nexus/syscall.h").read()
    err_h = open(f"{ROOT}/include/nexus/errors.h").read()
    rows = ["| # | name | arguments and result |", "|---|---|---|"]
    for num, name, _nargs, doc in re.findall(r'X\((\d+),\s*(\w+),\s*(\d+),\s*"((?:[^"\\]|\\.)*)"\)', sys_h):
        rows.append(f"| {num} | `nx_{name}` | {doc} |")
    rows += ["", "| code | value | meaning |", "|---|---|---|"]
    for name, value, text in re.findall(r'X\((NX_\w+),\s*(-?\d+),\s*"([^"]*)"\)', err_h):
        rows.append(f"| `{name}` | {value} | {text} |")
    return "\n".join(rows)


def main():
    path = f"{ROOT}/docs/abi.md"
    doc = open(path).read()
    head, rest = doc.split(BEGIN)
    _, tail = rest.split(END)
    new = f"{head}{BEGIN}\n{tables()}\n{END}{tail}"
    if "--check" in sys.argv:
        if new != doc:
            sys.exit("docs/abi.md is out of date: run python3 tools/abi_doc.py")
        print("docs/abi.md matches include/nexus/")
        return
    open(path, "w").write(new)


if __name__ == "__main__":
    main()
