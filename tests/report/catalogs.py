#!/usr/bin/env python3
"""The message catalogs agree: every check ID of mdediag --list-checks has a
message in English and Japanese; every key and field of messages-en.json
is in messages-ja.json with the same {placeholders}; the Japanese uses the
article's terms; and the templates of every finding the fixtures (and the
synthetic network model) produce name only evidence the finding carries."""
import json
import os
import re

from common import (LANGS, MDEDIAG, check, diag, finish, fixtures, name, net_model,
                    render, run)

DATA = os.path.join(os.path.dirname(os.environ["SCHEMA"]), "..", "data")
CAT = {l: json.load(open(os.path.join(DATA, "messages-%s.json" % l), encoding="utf-8"))
       for l in LANGS}
PH = re.compile(r"\{([^{}]{1,64})\}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Client Analyzer field names the article quotes in English, kept as they are
ENGLISH_OK = {"System-wide WinHTTP proxy", "Sense version", "DNS", "TCP", "TLS", "HTTP",
              "SmartScreen", "winhttp_direct", "ID", "MDAV"}
# Known gaps, to be fixed where the evidence is made (a gap that closes
# fails the test until it is removed from here, like Wine's todo_wine):
KNOWN_GAPS = set()


def lookup(cat, fid, variant, field):
    m = cat["messages"]
    e = m.get(fid + "/" + variant) if variant else None
    if not e or field not in e:
        e = m.get(fid)
    return (e or {}).get(field)


def main():
    checked = 0
    ids = [l.split("\t")[0] for l in run([MDEDIAG, "--list-checks"], check_rc=(0,))
           .stdout.decode().splitlines() if l.strip()]
    check(len(ids) > 30, "--list-checks lists only %d IDs" % len(ids))
    for lang in LANGS:
        for i in ids:
            e = CAT[lang]["messages"].get(i)
            check(e and e.get("title"), "%s: no message for check ID %s" % (lang, i))
            checked += 1
    en, ja = CAT["en"], CAT["ja"]
    check(set(en["messages"]) == set(ja["messages"]),
          "keys differ: only en %s, only ja %s" % (sorted(set(en["messages"]) - set(ja["messages"])),
                                                  sorted(set(ja["messages"]) - set(en["messages"]))))
    check(set(en["ui"]) == set(ja["ui"]), "ui labels differ: %s" % sorted(set(en["ui"]) ^ set(ja["ui"])))
    checked += 2
    for k, e in en["messages"].items():
        j = ja["messages"].get(k, {})
        pairs = []
        for field, text in e.items():
            if isinstance(text, list):  # "steps": templates, one per step
                other = j.get(field, [])
                check(isinstance(other, list) and len(other) == len(text),
                      "ja %s.%s: not the same number of steps" % (k, field))
                pairs += [("%s[%d]" % (field, i), a, b) for i, (a, b) in enumerate(zip(text, other))]
            else:
                pairs.append((field, text, j.get(field)))
        for field, text, jtext in pairs:
            check(jtext is not None, "ja %s lacks %s" % (k, field))
            if jtext is None:
                continue
            j = dict(j, **{field: jtext})
            check(set(PH.findall(text)) == set(PH.findall(j[field])),
                  "%s.%s: placeholders differ: en %s ja %s" % (k, field, sorted(set(PH.findall(text))),
                                                             sorted(set(PH.findall(j[field])))))
            check(bool(text) == bool(j[field]), "%s.%s: empty in one language only" % (k, field))
            if field in ("title", "detail", "guidance") and j[field] and j[field] not in ENGLISH_OK:
                check(JAPANESE.search(j[field]) or not PH.sub("", j[field]).strip(" :()。、{}?0-9"),
                      "ja %s.%s is not Japanese: %r" % (k, field, j[field]))
            if field == "command":
                check(text == j[field], "%s: commands differ between languages" % k)
            checked += 3
    for k, v in ja["ui"].items():
        if k.startswith("command."):  # a command is the same in both (below)
            check(v == en["ui"][k], "ui %s: commands differ between languages" % k)
        else:
            check(v and (JAPANESE.search(v) or v in ENGLISH_OK or k in ENGLISH_OK),
                  "ja ui %s is not Japanese: %r" % (k, v))
        checked += 1
    # every command runs as it is in cmd and in Windows PowerShell 5.1
    # (issue 21): no chaining (PowerShell 5.1 has no "&&"; "&" is its call
    # operator), no %VAR% (cmd's), no quoted program first (PowerShell
    # needs "&" for it), no alias that PowerShell maps elsewhere (sc is
    # Set-Content, del Remove-Item)
    cmds = [(k, m["command"]) for k, m in en["messages"].items() if m.get("command")]
    cmds += [(k, v) for k, v in en["ui"].items() if k.startswith("command.")]
    for k, c in cmds:
        bad = re.search(r"&&|(?:^|\s)&(?:\s|$)|%\w+%|^\"|^(?:sc|del|copy|type|set)\s", c)
        check(not bad, "%s: command not for both cmd and PowerShell 5.1 (%r): %s" % (k, bad and bad.group(0), c))
        checked += 1
    # the sentences of the probe and PAC code said in Japanese: each pattern
    # is said with the same placeholders, in Japanese (issue 21)
    for en_p, ja_p in ja.get("phrases", []):
        names = sorted(re.findall(r"\{(\w+)\}", en_p))
        check(names == sorted(re.findall(r"\{(\w+)\}", ja_p)), "phrase %r: placeholders differ" % en_p)
        check(JAPANESE.search(ja_p), "phrase %r is not said in Japanese: %r" % (en_p, ja_p))
        checked += 2
    # the article's own terms
    alltext = json.dumps(ja, ensure_ascii=False)
    for term in ("オンボード", "合理化された接続", "標準の接続", "Sense サービス", "通信先",
                 "再オンボード", "TLS(SSL) インスペクション", "監査モード"):
        check(term in alltext, "ja catalog never uses the article's term " + term)
        checked += 1
    for wrong in ("オンボーディング", "ストリームライン", "合理化接続"):
        check(wrong not in alltext, "ja catalog uses %s instead of the article's term" % wrong)
        checked += 1

    # every failing SENSE event of data/sense-events.json feeds a check ID
    # the program has, through a variant both catalogs word (its meaning and
    # next step); the classified ones through every class of the code table
    sev = json.load(open(os.path.join(DATA, "sense-events.json"), encoding="utf-8"))
    classes = {c["class"] for c in sev["error_codes"]} | {"unknown-code"}
    seen_ids = set()
    for row in sev["events"]:
        check(row["id"] not in seen_ids, "sense-events.json lists event %d twice" % row["id"])
        seen_ids.add(row["id"])
        check(row["check"] in ids, "sense-events.json: event %d feeds %s, not a check ID"
              % (row["id"], row["check"]))
        check(row["severity"] in ("error", "warning"), "sense-events.json: event %d severity %r"
              % (row["id"], row["severity"]))
        variants = [row["variant"]] + (sorted(classes) if row.get("classify") else [])
        for lang in LANGS:
            for v in variants:
                m = CAT[lang]["messages"].get(row["check"] + "/" + v)
                check(m and m.get("title"), "%s: no message %s/%s for SENSE event %d"
                      % (lang, row["check"], v, row["id"]))
                checked += 1

    # templates name only evidence the findings carry
    reports = [json.loads(diag(fx, "json")[0]) for fx in fixtures()]
    reports.append(json.loads(render(net_model(), "json", "en")))
    gaps_seen = set()
    for r in reports:
        for f in r["findings"] + [dict(r["verdict"], guidance="")]:
            ev = f.get("evidence") or {}
            for field in ("title", "detail", "guidance", "command"):
                t = lookup(en, f["id"], f.get("variant", ""), field)
                for key in PH.findall(t or ""):
                    if (f["id"], field, key) in KNOWN_GAPS:
                        gaps_seen.add((f["id"], field, key)) if key not in ev else None
                        continue
                    check(key in ev, "%s: %s/%s.%s needs {%s}, not in its evidence" %
                          (name(r["source"]), f["id"], f.get("variant", ""), field, key))
                    checked += 1
    for g in KNOWN_GAPS - gaps_seen:
        check(False, "known gap %s is fixed: remove it from KNOWN_GAPS" % (g,))
    finish(checked)


if __name__ == "__main__":
    main()
