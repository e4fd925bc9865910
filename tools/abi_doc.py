#!/usr/bin/env python3
"""Regenerate the syscall reference and the error table of docs/abi.md from the X-macro lists
NX_SYSCALLS (include/nexus/syscall.h) and NX_ERRORS (include/nexus/errors.h), between the
GENERATED markers. With --check, fail if the document is out of date (make abi-check)."""
import re
import sys

ROOT = __file__.rsplit("/tools/", 1)[0]
BEGIN, END = "<!-- GENERATED: begin -->", "<!-- GENERATED: end -->"


def skip_string(text, i):
    """The index of the closing quote of the string literal opening at text[i]."""
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i


def split_top(text):
    """Split text at the commas outside parentheses and string literals."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        if text[i] == '"':
            i = skip_string(text, i)
        elif text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
        elif text[i] == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    return parts + [text[start:].strip()]


def calls(text, macro):
    """The argument text of each call macro(...) in text."""
    for m in re.finditer(r"\b" + macro + r"\(", text):
        depth, i = 1, m.end()
        while depth:
            if text[i] == '"':
                i = skip_string(text, i)
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield text[m.end():i - 1]


def definitions(header):
    """Name -> body of every #define of the header, continuation lines joined."""
    joined = header.replace("\\\n", " ")
    return dict(re.findall(r"^#define (\w+)(?:\(X\))? +(.*)$", joined, re.M))


def expand(text, defs):
    """text with the object-like NX_ macros it uses (NX_HANDLE_ERRORS...) expanded, outside
    string literals."""
    while True:
        new = re.sub(r'"(?:[^"\\]|\\.)*"|\b(NX_[A-Z_]+)\b(?!\()',
                     lambda m: defs.get(m.group(1), m.group(0)) if m.group(1) else m.group(0),
                     text)
        if new == text:
            return text
        text = new


def argument(text):
    """NX_H(name, rights) / NX_V(type, name) / NX_P(type, name) -> (kind, type, name, rights)."""
    kind, inner = re.fullmatch(r"NX_([HVP])\((.*)\)", text, re.S).groups()
    if kind == "H":
        name, rights = (s.strip() for s in inner.split(",", 1))
        return ("H", "nx_handle_t", name, rights)
    ctype, name = (s.strip() for s in inner.rsplit(",", 1))
    return (kind, ctype, name, None)


def literal(text):
    """The string that adjacent C string literals in text make."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))


def syscalls():
    """The NX_SYSCALLS entries: dicts of num, name, result, args [(kind, type, name, rights)],
    errors [(code, when)] and doc."""
    defs = definitions(open(f"{ROOT}/include/nexus/syscall.h").read())
    entries = []
    for entry in calls(expand(defs["NX_SYSCALLS"], defs), "X"):
        num, name, result, nargs, args, errors, doc = split_top(entry)
        inner = args.strip()[1:-1].strip()
        arglist = [argument(a) for a in split_top(inner)] if inner else []
        if len(arglist) != int(nargs):
            sys.exit(f"NX_SYSCALLS: {name} declares {nargs} arguments and lists {len(arglist)}")
        errs = [(code, literal(when)) for code, when in
                re.findall(r'NX_E\((\w+)((?:,?\s*"(?:[^"\\]|\\.)*")*)\s*\)', errors)]
        entries.append(dict(num=int(num), name=name, result=result, args=arglist, errors=errs,
                            doc=literal(doc)))
    return entries


def rights_text(rights):
    names = re.findall(r"NX_RIGHT_(\w+)", rights)
    return " and ".join(names) if names else "none"


def signature(s):
    params = ", ".join(f"{t} {n}" if k != "P" else f"{t}{'' if t.endswith('*') else ' '}{n}"
                       for k, t, n, _ in s["args"]) or "void"
    params = params.replace("* ", "*")
    if s["result"] == "msg":
        params += ", uint64_t out[6]"
    result = "void" if s["result"] == "noreturn" else "long"
    return f"`{result} nx_{s['name']}({params})`"


# What a plain mention of a handle error means next to described ones (NX_HANDLE_ERRORS).
HANDLE_ERROR = {"BAD_HANDLE": "a handle argument", "WRONG_TYPE": "a handle argument",
                "ACCESS": "missing rights"}


def errors_text(errors):
    """Each code once, in the order of first mention, with every `when` given for it."""
    order, whens = [], {}
    for code, when in errors:
        if code not in whens:
            order.append(code)
            whens[code] = []
        whens[code].append(when)
    for code in order:
        described = [w for w in whens[code] if w]
        plain = len(described) < len(whens[code])
        whens[code] = ([HANDLE_ERROR[code]] if plain and described else []) + described
    if not order:
        return "none"
    return ", ".join(f"`{c}` ({'; '.join(whens[c])})" if whens[c] else f"`{c}`" for c in order)


def code(text):
    """Constant names in code style (names already in backquotes stay as they are)."""
    return re.sub(r"(?<!`)\b(NX_\w+)\b(?!`)", r"`\1`", text)


def reference():
    rows = ["| # | stub | what it does | rights needed | errors |", "|---|---|---|---|---|"]
    for s in syscalls():
        handles = [a for a in s["args"] if a[0] == "H"]
        rights = "; ".join(f"{rights_text(r)} on {n}" for _, _, n, r in handles) or "-"
        doc = s["doc"] + ("; does not return" if s["result"] == "noreturn" else "")
        errors = errors_text(s["errors"])
        rows.append(f"| {s['num']} | {signature(s)} | {code(doc)} | {rights} | {code(errors)} |")
    return rows


def tables():
    err_h = open(f"{ROOT}/include/nexus/errors.h").read()
    rows = reference()
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
