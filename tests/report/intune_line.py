#!/usr/bin/env python3
"""--format intune prints exactly one line of at most 2,048 bytes with the
verdict and key evidence; exit status 1 when an error finding exists."""
import json
import os
import re

from common import LANGS, OUTDIR, check, diag, finish, fixtures, name, net_model, render

LIMIT = 2048


def line_ok(label, raw):
    check(raw.endswith(b"\n") and raw.count(b"\n") == 1, "%s: not exactly one line" % label)
    check(len(raw) <= LIMIT, "%s: %d bytes > %d" % (label, len(raw), LIMIT))
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        check(False, label + ": not UTF-8 (cut inside a character?)")
        return 3, ""
    check(not re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]", s),
          label + ": control characters")
    return 4, s


def names_ok(label, s, model):
    """The line names every error and warning ID (issue 14: mdav-outdated's
    line named neither warning) and a next step, before the device facts."""
    fields = dict(f.split("=", 1) for f in s.rstrip("\n").split(" | ")[1:] if "=" in f)
    for sev, key in (("error", "errors"), ("warning", "warnings")):
        want = {f["id"] + ("/" + f["variant"] if f.get("variant") else "")
                for f in model["findings"] if f["severity"] == sev and f["id"] != "verdict"}
        got = {re.sub(r"\(\d+\)$", "", x) for x in fields.get(key, "").split(",") if x}
        check(got == want, "%s: %s=%s, want %s" % (label, key, sorted(got), sorted(want)))
    check(fields.get("next"), label + ": no next step")
    check(s.index(" | next=") < s.index(" | host="), label + ": the next step comes after the facts")
    return 4


def main():
    checked = 0
    for fx in fixtures():
        for lang in LANGS:
            label = "%s/%s" % (name(fx), lang)
            raw, rc = diag(fx, "intune", lang)
            n, s = line_ok(label, raw)
            checked += n
            model = json.loads(diag(fx, "json", lang)[0])
            has_error = any(f["severity"] == "error" for f in model["findings"])
            check(rc == (1 if has_error else 0), "%s: exit %d, errors=%s" % (label, rc, has_error))
            v = model["verdict"]
            check(s.startswith(("ERROR " if v["severity"] == "error" else
                                "WARNING " if v["severity"] == "warning" else "OK ") + v["id"]),
                  "%s: does not start with the verdict: %r" % (label, s[:60]))
            check(" | host=" in s, label + ": no host field")
            checked += 3 + names_ok(label, s, model)
    # the case of issue 14: two warnings, the verdict only the plan
    s = diag(fixtures()[0].rsplit("/", 1)[0] + "/mdav-outdated.json", "intune")[0].decode()
    check(re.search(r" \| warnings=[^|]*agent\.mdav-platform/old,agent\.signatures/old", s),
          "mdav-outdated: warnings not named: " + s)
    check(re.search(r" \| next=\S", s), "mdav-outdated: no next step: " + s)
    checked += 2
    model = net_model()
    for lang in LANGS:
        n, s = line_ok("tls/" + lang, render(model, "intune", lang))
        checked += n
        check(s.startswith("ERROR net.tls-inspection"), "tls/%s: verdict missing" % lang)
        check("fail=winatp-gw-cus.microsoft.com=tls-intercepted issuer=CN=Contoso" in s,
              "tls/%s: intercepted destination and issuer missing: %s" % (lang, s))
        checked += 2
    # a model whose values are huge: still one line, cut on a UTF-8 boundary
    big = json.load(open(model, encoding="utf-8"))
    big["device"]["hostname"] = "ホスト" * 1000
    for f in big["findings"]:
        if f["id"] == "net.endpoint":
            f["evidence"]["issuer"] = "CN=発行者|" * 300
    path = model.replace(".json", "-big.json")
    json.dump(big, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    n, s = line_ok("big", render(path, "intune", "ja"))
    check(len(s.encode()) > 2000, "big: line unexpectedly short (%d)" % len(s.encode()))
    checked += n + 1
    checked += healthy_line()
    finish(checked)


def healthy_line():
    """Verdict rule 4 (every check ran, nothing explains a missing device)
    is a healthy device in a fleet's column: the line says so, and its
    next step points to the plan of the full report, not the plan's title
    "Nothing found: offboard, clean and onboard again" (issue 21)."""
    checked = 0
    m = json.loads(diag(fixtures()[0].rsplit("/", 1)[0] + "/healthy-win11.json", "json")[0])
    m["findings"] = [f for f in m["findings"] if f["id"] != "net.not-tested"]
    m["findings"].append({"id": "reonboard.plan", "severity": "info", "section": "reonboard",
                          "outcome": "found", "title": "", "detail": "", "guidance": "", "evidence": {}})
    v = m["verdict"]
    v.update(id="reonboard.plan", severity="info", rule="nothing-found", not_determined=[], to_check=[],
             title="Nothing found: offboard, clean and onboard again",
             next_step="Follow these steps (the tool never runs them); back up first.")
    m["summary"] = {"error": 0, "warning": 0, "info": len(m["findings"])}
    path = os.path.join(OUTDIR, "model-healthy-plan.json")
    json.dump(m, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    want = {"en": ("OK reonboard.plan: No error found: Defender for Endpoint looks healthy on this device |",
                   "next=If the device is still missing from the portal, follow the re-onboarding plan"),
            "ja": ("OK reonboard.plan: エラーは見つかりませんでした: このデバイスの Defender for Endpoint は正常",
                   "next=ポータルにデバイスが表示されない場合は、完全なレポートの再オンボードの手順")}
    for lang in LANGS:
        n, s = line_ok("healthy/" + lang, render(path, "intune", lang))
        head, nxt = want[lang]
        check(s.startswith(head), "healthy/%s: the line does not say healthy: %s" % (lang, s[:120]))
        check(nxt in s, "healthy/%s: next step is not the plan of the full report: %s" % (lang, s))
        check("Nothing found" not in s and "Follow these steps" not in s, "healthy/%s: the plan's words" % lang)
        checked += n + 3
    return checked


if __name__ == "__main__":
    main()
