#!/usr/bin/env python3
"""Japanese reports are Japanese: no value word of the tool's own (states,
methods, results, yes/no, "not set") reaches a Japanese sentence raw, no
template breaks on an empty value, GPO paths are named as the Japanese UI
names them, and the article's terms are used. Every bundled fixture, and
every harness scenario when SCENARIO_REPORTS names a directory of reports
(report-scenario-formats sets it), in the JSON model and in the text."""
import glob
import json
import os
import re
import sys

from common import HERE, check, diag, finish, fixtures, name, render

CAT = json.load(open(os.path.join(HERE, "..", "..", "data", "messages-ja.json"), encoding="utf-8"))
# A word the tool chose (an enumeration), not the device's data: lower-case
# words with '-' or ' ' ("script-gpo-mecm", "not set", "present, empty"),
# or an upper-case state ("STOPPED", "AUTO_START"). Paths, hosts, versions,
# GUIDs and proper nouns do not match.
WORD = r"[a-z][a-z0-9]*(?:[- ][a-z0-9]+){0,2}"
CODE_WORD = re.compile(r"^(?:%s(?:, %s)*|[A-Z]{4,}(?:_[A-Z]+)*)$" % (WORD, WORD))
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Literal leaks the issue saw, wherever they are in a sentence.
BANNED = ("not set", "Computer Configuration", "Administrative Templates", "Sense の機能")
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def template(id_, variant, field):
    msgs = CAT["messages"]
    for key in ([id_ + "/" + variant] if variant else []) + [id_]:
        m = msgs.get(key)
        if m and field in m:
            return m[field]
    return None


def check_finding(label, f, fields):
    n = 0
    ev = f.get("evidence", {})
    for field, rendered_key in fields:
        t = template(f["id"], f.get("variant", ""), field)
        rendered = f.get(rendered_key, "")
        if not t or not isinstance(rendered, str):
            continue
        for key in PLACEHOLDER.findall(t):
            v = ev.get(key)
            if isinstance(v, bool):
                v = "yes" if v else "no"
            if isinstance(v, list):
                vals = [x for x in v if isinstance(x, str)]
            else:
                vals = [v] if isinstance(v, str) else []
            for val in vals:
                n += 1
                if val == "":
                    check(not re.search(r"(?:^|[^ ])  (?:[^ ]|$)", rendered),
                          "%s: %s.%s renders empty {%s} as a gap: %r" % (label, f["id"], field, key, rendered))
                elif CODE_WORD.match(val) and not GUID.match(val) and val not in t:
                    check(not re.search(r"(?<![A-Za-z0-9_./-])%s(?![A-Za-z0-9_./:-])" % re.escape(val), rendered),
                          "%s: %s.%s: untranslated {%s}=%r in %r" % (label, f["id"], field, key, val, rendered))
        said = " ".join(str(ev.get(k)) for k in PLACEHOLDER.findall(t))  # the device's own words
        for b in BANNED:
            check(b not in rendered or b in said, "%s: %s.%s contains %r" % (label, f["id"], field, b))
            n += 1
    return n


def check_model(label, model):
    n = 0
    for f in model["findings"]:
        n += check_finding(label, f, [("title", "title"), ("detail", "detail"), ("guidance", "guidance")])
    v = model["verdict"]
    if v.get("id") and "evidence" in v:
        n += check_finding(label + "/verdict", v, [("title", "title"), ("detail", "detail"),
                                                    ("guidance", "next_step")])
    return n


def check_text(label, text):
    for b in BANNED:
        check(b not in text, "%s: the ja text contains %r" % (label, b))
    return len(BANNED)


def main():
    checked = 0
    for fx in fixtures():
        model = json.loads(diag(fx, "json", "ja")[0])
        checked += check_model(name(fx), model)
        checked += check_text(name(fx), diag(fx, "text", "ja")[0].decode())
    rdir = os.environ.get("SCENARIO_REPORTS") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if rdir:
        paths = sorted(p for p in glob.glob(os.path.join(rdir, "*.json"))
                       if os.path.basename(p) != "summary.json")  # the harness's counts
        check(paths, "no scenario reports in " + rdir)
        for path in paths:
            ja = json.loads(render(path, "json", "ja"))
            checked += check_model("scenario " + name(path), ja)
            checked += check_text("scenario " + name(path), render(path, "text", "ja").decode())
    finish(checked)


if __name__ == "__main__":
    main()
