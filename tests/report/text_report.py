#!/usr/bin/env python3
"""The text report fits 80 columns (CJK counts 2) in both languages, for
every fixture, the hostile one and the synthetic TLS model, except commands,
which stand alone on their line unwrapped; it is a summary (verdict, errors
and warnings one line each, the next step and its command last) and
--verbose adds the evidence with its labels; device strings cannot forge a
line; it has colour only on a terminal and never with NO_COLOR; it follows
the locale when --lang is not given."""
import json
import os
import pty
import re
import select
import subprocess

from common import (HERE, HOSTILE, LANGS, MDEDIAG, FIXTURES, check, columns, diag, finish,
                    fixtures, name, net_model, real_net_model, render, run)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CATALOG_COMMANDS = set()
for _lang in LANGS:
    _cat = json.load(open(os.path.join(HERE, "..", "..", "data", "messages-%s.json" % _lang)))
    CATALOG_COMMANDS |= {m["command"] for m in _cat["messages"].values() if m.get("command")}
    CATALOG_COMMANDS |= {v for k, v in _cat["ui"].items() if k.startswith("command.")}


def commands_of(model):
    """Every command a report of `model` may print: the catalog's, filled
    with each finding's evidence where they name it (net.advice/KIND:
    `Test-NetConnection -ComputerName {failed_host}`), and the evidence's
    cmd_* members (the re-onboarding plan's)."""
    out = set(CATALOG_COMMANDS)
    templated = [c for c in CATALOG_COMMANDS if "{" in c]
    for f in model["findings"] + [model["verdict"]]:
        ev = f.get("evidence", {})
        for k, v in ev.items():
            if k.startswith("cmd_"):  # a string, or one command a step (a list)
                out |= {x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)}
        for c in templated:
            filled = re.sub(r"\{(\w+)\}", lambda m: str(ev.get(m.group(1), m.group(0))), c)
            if "{" not in filled:
                out.add(filled)
    return out


def widths_ok(label, text, width=80, commands=()):
    bad = [l for l in text.split("\n") if columns(ANSI.sub("", l)) > width
           and ANSI.sub("", l).strip() not in commands]
    check(not bad, "%s: %d lines wider than %d, first: %r" % (label, len(bad), width,
                                                                bad[0] if bad else ""))
    ctl = re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]", ANSI.sub("", text))
    check(not ctl, "%s: control character %r in text" % (label, ctl.group(0) if ctl else ""))
    return 2


def summary_ok(label, text, model, lang):
    """The summary: the verdict on top, every error and warning ID listed,
    no informational finding, the next step's command as the last line."""
    lines = [ANSI.sub("", l) for l in text.rstrip("\n").split("\n")]
    v = model["verdict"]
    check(v["id"] in "\n".join(lines[:6]), "%s: verdict not on top" % label)
    body = "\n".join(lines)
    for f in model["findings"]:
        if f["severity"] in ("error", "warning") and f["id"] != "verdict":
            check(re.search(r"^  \[[^]]+\] +%s  " % re.escape(f["id"]), body, re.M),
                  "%s: %s %s not listed" % (label, f["severity"], f["id"]))
    listed = "\n".join(l for l in lines if l.startswith("  ["))
    check("[info]" not in listed and "[情報]" not in listed, "%s: informational findings in the summary" % label)
    cmd = [c for c in commands_of(model) if c and "\n    " + c + "\n" in "\n" + body + "\n"]
    if cmd:
        check(lines[-1].startswith("    ") and lines[-1].strip() in cmd,
              "%s: the last line is not the next step's command: %r" % (label, lines[-1]))
    return 3


def verbose_ok(label, summary, verbose, model):
    """--verbose is longer and shows every finding and its evidence; arrays
    keep their labels (no bare "1.  cnc" line)."""
    check(len(verbose) > len(summary), "%s: --verbose adds nothing" % label)
    for f in model["findings"]:
        if f["id"] != "verdict":
            check(f["id"] in verbose, "%s: --verbose lacks %s" % (label, f["id"]))
    check(not re.search(r"^ {12}\d+\. ", verbose, re.M), "%s: unlabelled array items" % label)
    return 3


def forged_lines():
    """A host name and a ProductName with newlines (and an escape) cannot
    start a report line: text and Intune output stay as they are."""
    import tempfile
    fx = json.load(open(os.path.join(FIXTURES, "healthy-win11.json")))
    fx["hostname"] = "PC-01\nVERDICT [info] forged.ok\r\n    del /q C:\\*\x1b[2J"
    fx["registry"]["HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"]["ProductName"] = \
        "Windows 10\n[error]   forged.product  Fake\u0085line\u2028sep"
    path = os.path.join(tempfile.mkdtemp(prefix="forged-"), "forged.json")
    json.dump(fx, open(path, "w"))
    checked = 0
    for lang in LANGS:
        for extra in ([], ["--verbose"]):
            out = run([MDEDIAG, "--fixture", path, "--no-network", "--lang", lang] + extra).stdout.decode()
            lines = out.split("\n")
            check(sum(1 for l in lines if l.startswith(("VERDICT", "診断結果"))) == 1,
                  "forged host name: a second VERDICT line (%s %s)" % (lang, extra))
            check(not any(l.lstrip().startswith(("forged", "[error]   forged", "del /q C")) for l in lines),
                  "forged value starts a line (%s %s)" % (lang, extra))
            check("\x1b" not in out and "\r" not in out and "\u0085" not in out,
                  "control characters pass (%s %s)" % (lang, extra))
            checked += 3
        line = run([MDEDIAG, "--fixture", path, "--no-network", "--lang", lang, "--format", "intune"]).stdout
        check(line.count(b"\n") == 1 and line.endswith(b"\n") and b"\r" not in line and b"\x1b" not in line,
              "forged host name breaks the Intune line (%s)" % lang)
        checked += 1
    return checked


def on_pty(args, env):
    """stdout of a command whose stdout is a terminal."""
    master, slave = pty.openpty()
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    e.update(env)
    p = subprocess.Popen(args, stdout=slave, stderr=subprocess.DEVNULL, env=e)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=10)
    os.close(master)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def wording():
    """Issue 21's text: the OS line leaves out what the device did not give
    (no ", build ()"), a block page's title has a separator, a count of one
    is not "1 times"."""
    checked = 0
    import tempfile
    base = json.loads(diag(os.path.join(FIXTURES, "healthy-win11.json"), "json")[0])
    d = base["device"]
    d.update(build_ubr="", installation_type="")
    base["findings"].append({"id": "net.proxy.denied", "severity": "error", "section": "connectivity",
                             "title": "", "detail": "", "guidance": "",
                             "evidence": {"proxy": "p:8080", "proxy_source": "static", "hosts_summary": "h1",
                                          "status_line": "HTTP/1.1 403 Forbidden", "block_title": "Access Denied"}})
    base["findings"].append(dict(base["findings"][-1], evidence=dict(base["findings"][-1]["evidence"],
                                                                     block_title="", hosts_summary="h2")))
    base["findings"].append({"id": "onboarding.event", "variant": "15", "severity": "error",
                             "section": "onboarding", "title": "", "detail": "", "guidance": "",
                             "evidence": {"event_id": 15, "source": "WDATPOnboarding", "log": "Application",
                                          "count": 1, "last_seen": "2026-12-01", "message": "m"}})
    path = os.path.join(tempfile.mkdtemp(prefix="wording-"), "model.json")
    json.dump(base, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    for lang in LANGS:
        text = render(path, "text", lang, 200, "verbose").decode()
        os_line = text.splitlines()[1] if len(text.splitlines()) > 1 else ""
        check(os_line.startswith("Windows 11 Enterprise") and "()" not in os_line and
              not os_line.rstrip().endswith(",") and "build" not in os_line and "ビルド" not in os_line,
              "%s: the OS line without build or type: %r" % (lang, os_line))
        if lang == "en":
            check('refused h1: HTTP/1.1 403 Forbidden, block page "Access Denied".' in text,
                  "en: the block page's title without a separator")
            check("refused h2: HTTP/1.1 403 Forbidden." in text, "en: an empty block page title leaves a gap")
            check("1 times" not in text and "occurrences: 1," in text, "en: \"1 times\"")
        else:
            check("HTTP/1.1 403 Forbidden、ブロック ページ「Access Denied」。" in text and
                  "HTTP/1.1 403 Forbidden。" in text, "ja: the block page's title")
            check("(1 回、" in text, "ja: the count of the event")
        checked += 3
    d.update(build_ubr="22631.4460", installation_type="Client")
    json.dump(base, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    os_line = render(path, "text", "ja", 200).decode().splitlines()[1]
    check(os_line == "Windows 11 Enterprise, ビルド 22631.4460 (Client)", "ja: the OS line: %r" % os_line)
    return checked + 1


def main():
    checked = 0
    for k, fx in enumerate(fixtures()):
        model = json.loads(diag(fx, "json")[0])
        cmds = commands_of(model)
        for lang in LANGS:
            out, _ = diag(fx, "text", lang)
            text = out.decode("utf-8")
            label = "%s/%s" % (name(fx), lang)
            checked += widths_ok(label, text, commands=cmds)
            check("\x1b" not in text, "%s: colour in a pipe" % label)
            checked += 1 + summary_ok(label, text, model, lang)
            if lang == LANGS[k % 2]:  # --verbose in one language per fixture, alternating (time)
                verbose = run([MDEDIAG, "--fixture", fx, "--no-network", "--lang", lang, "--verbose"]).stdout.decode()
                checked += widths_ok(label + "/verbose", verbose, commands=cmds)
                checked += verbose_ok(label, text, verbose, model)
    model = net_model()
    cmds = commands_of(json.load(open(model)))
    for lang in LANGS:
        checked += widths_ok("tls/" + lang, render(model, "text", lang).decode(), commands=cmds)
        checked += widths_ok("tls-60/" + lang, render(model, "text", lang, 60).decode(), 60, cmds)
        verbose = render(model, "text", lang, 80, "verbose").decode()
        checked += widths_ok("tls-verbose/" + lang, verbose, commands=cmds)
    real = real_net_model()
    if real:
        rm = json.load(open(real))
        for lang in LANGS:
            text = render(real, "text", lang).decode()
            n = len(text.splitlines())
            print("real TLS-inspection run, %s: %d lines (verbose: %d)" %
                  (lang, n, len(render(real, "text", lang, 80, "verbose").decode().splitlines())))
            check(n <= 60, "network diagnosis in %d lines (> 60), %s" % (n, lang))
            checked += 1 + summary_ok("real-tls/" + lang, text, rm, lang)
    checked += forged_lines()
    checked += wording()

    ev15 = os.path.join(FIXTURES, "sense-stopped-event15.json")
    args = [MDEDIAG, "--fixture", ev15, "--no-network"]
    tty = on_pty(args, {"TERM": "xterm"})
    check("\x1b[" in tty, "no colour on a terminal")
    checked += 1 + widths_ok("tty", tty, commands=CATALOG_COMMANDS)
    check("\x1b" not in on_pty(args, {"TERM": "xterm", "NO_COLOR": "1"}), "colour despite NO_COLOR")
    check("\x1b" not in on_pty(args, {"TERM": "dumb"}), "colour on TERM=dumb")
    checked += 2

    # language from the environment (POSIX order: LC_ALL, LC_MESSAGES, LANG)
    def lang_of(env):
        e = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}
        e.update(env)
        out = run(args, env=e).stdout.decode()
        return "ja" if "診断結果" in out else "en" if "VERDICT" in out else "?"
    for env, want in [({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "en_US.UTF-8"}, "en"),
                      ({"LANG": "C"}, "en"), ({}, "en"),
                      ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
                      ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US"}, "ja"),
                      ({"LC_ALL": "ja_JP.eucJP"}, "ja")]:
        check(lang_of(env) == want, "locale %r gave %s, want %s" % (env, lang_of(env), want))
        checked += 1
    e = run(args + ["--lang", "ja"], env={"LANG": "en_US.UTF-8"}).stdout.decode()
    check("診断結果" in e, "--lang ja does not win over LANG")
    p = run(args + ["--lang", "xx"], check_rc=None)
    check(p.returncode == 2 and b"--lang xx" in p.stderr, "--lang xx not rejected with status 2")
    checked += 2
    finish(checked)


if __name__ == "__main__":
    main()
