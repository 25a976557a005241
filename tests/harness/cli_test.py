#!/usr/bin/env python3
"""cli_test.py - the harness from the outside (TAP): JUnit XML validity,
coverage JSON, failure lines, deadlines, --update, bad scenario files.

usage: cli_test.py HARNESS MDEDIAG MOCKCLOUD SOURCE_ROOT
"""
import json, os, shutil, subprocess, sys, tempfile, time
import xml.dom.minidom

harness, mdediag, mockcloud, root = sys.argv[1:5]
devices = os.path.join(root, "fixtures", "devices")
scenarios = os.path.join(root, "fixtures", "scenarios")
n = 0
failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
        print("not ok %d - %s" % (n, name))
        for line in str(detail).splitlines()[:40]:
            print("# " + line)
    else:
        print("ok %d - %s" % (n, name))


def run(*args, timeout=120):
    cmd = [harness, "--diag", mdediag, "--mockcloud", mockcloud] + list(args)
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - t


def scenario(d, name, expect, fixture="healthy-win11.json", **extra):
    os.makedirs(os.path.join(d, name))
    s = {"branch": "test", "fixture": os.path.join(devices, fixture), "expect": expect}
    s.update(extra)
    with open(os.path.join(d, name, "scenario.json"), "w") as f:
        json.dump(s, f)


tmp = tempfile.mkdtemp(prefix="hx-cli-")
try:
    # 1. a passing subset: JUnit parses, coverage JSON names the scenarios.
    junit = os.path.join(tmp, "junit.xml")
    cov = os.path.join(tmp, "coverage.json")
    p, _ = run("--junit", junit, "--coverage-json", cov,
               "local-healthy-no-network-withholds-plan", "net-healthy-standard-us")
    ok(p.returncode == 0, "subset run passes (coverage not enforced)", p.stdout + p.stderr)
    ok("PASS local-healthy-no-network-withholds-plan (" in p.stdout, "one PASS line per scenario", p.stdout)
    ok("UNCOVERED" not in p.stdout and "coverage not judged (a subset)" in p.stdout,
       "a subset run prints no coverage table", p.stdout)
    try:
        doc = xml.dom.minidom.parse(junit)
        suite = doc.getElementsByTagName("testsuite")[0]
        ok(suite.getAttribute("tests") == "2" and suite.getAttribute("failures") == "0",
           "junit counts 2 tests, 0 failures", doc.toxml()[:2000])
    except Exception as e:  # noqa: BLE001 - any parse error is the failure
        ok(False, "junit is well-formed XML", e)
    with open(cov) as f:
        c = json.load(f)
    ok("net.endpoint" in c and c["net.endpoint"] == ["net-healthy-standard-us"],
       "coverage json maps net.endpoint to the network scenario", c.get("net.endpoint"))
    ok(c.get("verdict") == ["local-healthy-no-network-withholds-plan", "net-healthy-standard-us"],
       "verdict is produced by every passing scenario", c.get("verdict"))

    # 2. a failing scenario with XML-hostile text in its name and message.
    bad = os.path.join(tmp, "bad")
    scenario(bad, "wrong-<verdict>&", {"verdict": "os.home-edition", "exit": 1})
    scenario(bad, "right", {"verdict": "net.not-tested", "exit": 0})
    junit2 = os.path.join(tmp, "junit2.xml")
    p, _ = run("--scenarios", bad, "--junit", junit2)
    ok(p.returncode == 1, "a failing scenario fails the run", p.stdout)
    ok("FAIL wrong-<verdict>&: verdict is net.not-tested, expected os.home-edition" in p.stdout,
       "the FAIL line names the first mismatch", p.stdout)
    ok("UNCOVERED" not in p.stdout, "a directory of one's own is not judged for coverage",
       p.stdout)
    try:
        doc = xml.dom.minidom.parse(junit2)
        fails = doc.getElementsByTagName("failure")
        ok(len(fails) == 1 and "expected os.home-edition" in fails[0].getAttribute("message")
           and doc.getElementsByTagName("testcase")[1].getAttribute("name") == "wrong-<verdict>&",
           "junit failure is well-formed and escaped", doc.toxml()[:2000])
    except Exception as e:  # noqa: BLE001
        ok(False, "junit with a failure is well-formed XML", e)

    # 3. a passing directory of one's own passes; --coverage judges it anyway.
    only_ok = os.path.join(tmp, "only-ok")
    scenario(only_ok, "right", {"verdict": "net.not-tested", "exit": 0})
    p, _ = run("--scenarios", only_ok)
    ok(p.returncode == 0 and "1 passed, 0 failed" in p.stdout and "UNCOVERED" not in p.stdout,
       "a fully passing directory of one's own exits 0", p.stdout + p.stderr)
    p, _ = run("--scenarios", only_ok, "--coverage")
    ok(p.returncode == 1 and "1 passed, 0 failed" in p.stdout and "UNCOVERED" in p.stdout,
       "--coverage: all passing but check IDs uncovered: exit 1", p.stdout)
    p, _ = run("--scenarios=" + only_ok, "--coverage", "--no-coverage")
    ok(p.returncode == 0 and "--no-coverage" in p.stdout, "--no-coverage (last wins), --opt=value",
       p.stdout + p.stderr)
    p, _ = run("--filter=no-network-withholds", "--jobs=1", "--timeout=20", "--net-timeout", "4")
    ok(p.returncode == 0 and "PASS local-healthy-no-network-withholds-plan" in p.stdout,
       "--opt=value and --opt value forms mix", p.stdout + p.stderr)

    # 3b. --report-dir: created with its parents; one that cannot be is exit 2
    # before anything runs.
    rdir = os.path.join(tmp, "reports", "deeper")
    p, _ = run("--scenarios", only_ok, "--report-dir", rdir)
    ok(p.returncode == 0 and os.path.isfile(os.path.join(rdir, "right.json")),
       "--report-dir is created and filled", p.stdout + p.stderr)
    afile = os.path.join(tmp, "a-file")
    open(afile, "w").close()
    p, _ = run("--scenarios", only_ok, "--report-dir", os.path.join(afile, "sub"))
    ok(p.returncode == 2 and "PASS" not in p.stdout and p.stderr.count("\n") == 1
       and "--report-dir" in p.stderr, "an unusable --report-dir: exit 2, one line, nothing run",
       p.stdout + p.stderr)

    # 4. a hanging mdediag is killed at the scenario deadline.
    sleeper = os.path.join(tmp, "sleeper.sh")
    with open(sleeper, "w") as f:
        f.write("#!/bin/sh\n[ \"$1\" = --list-checks ] && { echo verdict; exit 0; }\n"
                "sleep 60 &\nsleep 60\n")
    os.chmod(sleeper, 0o755)
    p = subprocess.run([harness, "--diag", sleeper, "--mockcloud", mockcloud,
                        "--scenarios", only_ok, "--timeout", "1", "--net-timeout", "0.5"],
                       capture_output=True, text=True, timeout=30)
    ok("FAIL right: mdediag did not finish within 1 s (killed)" in p.stdout,
       "deadline kills the process group", p.stdout + p.stderr)
    took = [l for l in p.stdout.splitlines() if l.startswith("FAIL right")]
    ok(took and float(took[0].rsplit("(", 1)[1].split()[0]) < 3, "the kill is prompt", took)

    # 5. --update rewrites a wrong expectation into one that passes.
    upd = os.path.join(tmp, "upd")
    scenario(upd, "stale", {"verdict": "mdav.stopped", "exit": 1,
                            "findings": [{"id": "mdav.disabled-by-policy"}]},
             fixture="mdav-disableantispyware.json")
    p, _ = run("--scenarios", upd, "--update")
    with open(os.path.join(upd, "stale", "scenario.json")) as f:
        s = json.load(f)
    ids = [x["id"] for x in s["expect"]["findings"]]
    ok(s["expect"]["verdict"] == "mdav.disabled-by-policy" and "mdav.disabled-by-policy" in ids
       and "verdict" not in ids, "--update writes verdict and findings", json.dumps(s["expect"]))
    p, _ = run("--scenarios", upd, "stale")
    ok(p.returncode == 0 and "PASS stale" in p.stdout, "the updated scenario passes", p.stdout)

    # 5b. --update keeps what the author wrote: the compact cloud block, the
    # keys of an expected finding, members it does not know about.
    keep = os.path.join(tmp, "keep")
    os.makedirs(os.path.join(keep, "k"))
    text = ('{\n "branch": "test: compact stays compact",\n'
            ' "fixture": %s,\n'
            ' "cloud": {"hosts": {},\n'
            '           "proxies": []},\n'
            ' "expect": {"verdict": "mdav.stopped", "exit": 1,\n'
            '   "findings": [{"id": "net.edr-cnc", "evidence": {"failed": 0}},\n'
            '                {"id": "agent.sense-version", "severity": "error",'
            ' "evidence": {"version": "1.0", "minimum": "10.8500"}}]}\n}\n'
            % json.dumps(os.path.join(devices, "healthy-win11.json")))
    with open(os.path.join(keep, "k", "scenario.json"), "w") as f:
        f.write(text)
    p, _ = run("--scenarios", keep, "--update")
    with open(os.path.join(keep, "k", "scenario.json")) as f:
        new = f.read()
    s = json.loads(new)
    ok(' "cloud": {"hosts": {},\n           "proxies": []},\n' in new
       and new.startswith('{\n "branch": "test: compact stays compact",\n'),
       "--update leaves the members it does not rewrite byte for byte", new)
    ok('{"id": "net.edr-cnc", "evidence": {"failed": 0}}' in new,
       "an expected finding that still matches is kept as written", new)
    sv = [x for x in s["expect"]["findings"] if x["id"] == "agent.sense-version"]
    ok(len(sv) == 1 and "severity" in sv[0] and sorted(sv[0].get("evidence", {})) ==
       ["minimum", "version"] and sv[0]["evidence"]["version"] != "1.0",
       "a stale expected finding keeps the author's keys, with actual values", sv)
    p, _ = run("--scenarios", keep)
    ok(p.returncode == 0 and "PASS k" in p.stdout, "the updated scenario passes", p.stdout)
    before = new
    p, _ = run("--scenarios", keep, "--update")
    with open(os.path.join(keep, "k", "scenario.json")) as f:
        ok(f.read() == before and "rewritten" not in p.stdout,
           "--update of a passing scenario changes nothing", p.stdout)

    # 5c. a passing scenario is left alone even when it would gain entries
    # (here the net.not-tested warning it does not list).
    lean = os.path.join(tmp, "lean")
    scenario(lean, "l", {"verdict": "net.not-tested", "exit": 0})
    path = os.path.join(lean, "l", "scenario.json")
    before = open(path).read()
    p, _ = run("--scenarios", lean, "--update")
    ok(p.returncode == 0 and open(path).read() == before,
       "--update does not touch a passing scenario", p.stdout + open(path).read())

    # 6. a malformed scenario file is bad input (exit 2) naming file and member.
    typo = os.path.join(tmp, "typo")
    scenario(typo, "t", {"verdict": "x"}, fixtrue="x")
    p, _ = run("--scenarios", typo)
    ok(p.returncode == 2 and "t/scenario.json: $.fixtrue: unknown member" in p.stderr,
       "unknown scenario member: exit 2 with the path", p.stderr)
    raw = os.path.join(tmp, "raw")
    scenario(raw, "r", {"verdict": "x"}, description="one\ntwo")
    path = os.path.join(raw, "r", "scenario.json")
    text = open(path).read().replace("one\\ntwo", "one\ntwo")
    open(path, "w").write(text)
    p, _ = run("--scenarios", raw)
    ok(p.returncode == 2 and "r/scenario.json: raw control character U+000A inside a string" in p.stderr,
       "a raw line break inside a string: exit 2 naming file and place", p.stderr)
    p, _ = run("no-such-scenario")
    ok(p.returncode == 2 and "no scenario named no-such-scenario" in p.stderr,
       "an unknown name is bad usage", p.stderr)

    # 7. command-line conventions.
    p = subprocess.run([harness, "--help"], capture_output=True, text=True)
    ok(p.returncode == 0 and p.stdout.startswith("usage: harness") and p.stderr == "",
       "--help: usage on stdout, exit 0", p.stdout + p.stderr)
    for args, line in [
            (["--bogus"], "harness: unknown option '--bogus'"),
            (["--bogus=1"], "harness: unknown option '--bogus'"),
            (["-x"], "harness: unknown option '-x'"),
            (["--update=yes"], "harness: option '--update' takes no value"),
            (["--filter"], "harness: option '--filter' needs a value"),
            (["-j", "0"], "harness: -j 0: expected a whole number from 1 to 64"),
            (["--timeout=0"], "harness: --timeout 0: expected seconds from 0.1 to 600")]:
        p = subprocess.run([harness] + args, capture_output=True, text=True)
        ok(p.returncode == 2 and p.stdout == "" and
           p.stderr == line + "\nTry 'harness --help'.\n",
           "%s: one line and the hint, exit 2" % " ".join(args), p.stderr)

    # 8. --wine: a Wine run silent on stdout and stderr is run once more and
    # said; a second silent run fails the scenario. "wine" here is a script
    # first in PATH that is silent once (or always), then runs mdediag.
    fakebin = os.path.join(tmp, "fakebin")
    os.makedirs(fakebin)
    marker = os.path.join(tmp, "wine-was-silent")
    with open(os.path.join(fakebin, "wine"), "w") as f:
        f.write('#!/bin/sh\n'
                'if [ -n "$FAKE_WINE_ALWAYS_SILENT" ] || [ ! -e "%s" ]; then\n'
                '  : > "%s"; exit 3\nfi\nexec "$@"\n' % (marker, marker))
    os.chmod(os.path.join(fakebin, "wine"), 0o755)
    env = dict(os.environ, PATH=fakebin + os.pathsep + os.environ.get("PATH", ""))
    cmd = [harness, "--wine", "--diag", mdediag, "--mockcloud", mockcloud, "-j", "1",
           "local-healthy-no-network-withholds-plan"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    ok(p.returncode == 0 and "PASS local-healthy-no-network-withholds-plan" in p.stdout and
       "harness: local-healthy-no-network-withholds-plan: wine %s printed nothing (exit 3): "
       "once more" % mdediag in p.stderr,
       "--wine: one silent run is run once more, and said", p.stdout + p.stderr)
    env["FAKE_WINE_ALWAYS_SILENT"] = "1"
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    ok(p.returncode == 1 and p.stderr.count("printed nothing") == 1 and
       "FAIL local-healthy-no-network-withholds-plan: mdediag exit 3 without a JSON report" in p.stdout,
       "--wine: a second silent run fails the scenario", p.stdout + p.stderr)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("1..%d" % n)
sys.exit(1 if failed else 0)
