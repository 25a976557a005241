#!/usr/bin/env python3
"""checks_doc.py - docs/checks.md documents exactly the check IDs that
`mdediag --list-checks` prints, in the same (verdict) order, each under a
heading naming its article section; and the output keeps its documented
format (ID TAB SECTION per line). TAP.

usage: checks_doc.py MDEDIAG SOURCE_ROOT
"""
import os, re, subprocess, sys

mdediag, root = sys.argv[1:3]
n = failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:40]:
            print("# " + line)


p = subprocess.run([mdediag, "--list-checks"], capture_output=True, text=True, timeout=30)
ok(p.returncode == 0 and p.stderr == "", "--list-checks exits 0, nothing on stderr",
   p.stderr)
lines = p.stdout.splitlines()
shape = re.compile(r"^[a-z0-9.-]+\t[a-z]+(\t[^\t]*)*$")
ok(lines and all(shape.match(l) for l in lines) and p.stdout.endswith("\n"),
   "every line is ID TAB SECTION [TAB more]", p.stdout)
program = [tuple(l.split("\t")[:2]) for l in lines if "\t" in l]

doc = []  # (id, sections allowed by the heading above it)
sections = set()
with open(os.path.join(root, "docs", "checks.md"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("## "):
            sections = set(re.findall(r"`([a-z]+)`", line))
        m = re.match(r"^\| `([^`]+)` \|", line)
        if m:
            doc.append((m.group(1), sections))

prog_ids = [i for i, _ in program]
doc_ids = [i for i, _ in doc]
missing = [i for i in prog_ids if i not in doc_ids]
extra = [i for i in doc_ids if i not in prog_ids]
ok(not missing, "every ID of --list-checks is in docs/checks.md", missing)
ok(not extra, "docs/checks.md lists no ID the program does not have", extra)
ok(len(doc_ids) == len(set(doc_ids)), "each ID is documented once", doc_ids)
ok(doc_ids == prog_ids, "docs/checks.md lists them in verdict order",
   "\n".join("%-32s %s" % (a, b) for a, b in zip(prog_ids, doc_ids) if a != b))
where = dict((i, s) for i, s in doc)
wrong = ["%s is %s, documented under %s" % (i, sec, sorted(where[i]))
         for i, sec in program if i in where and sec not in where[i]]
ok(not wrong, "each ID is under the heading of its section", "\n".join(wrong))

print("1..%d" % n)
sys.exit(1 if failed else 0)
