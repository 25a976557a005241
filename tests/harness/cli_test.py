#!/usr/bin/env python3
"""cli_test.py - the harness from the outside (TAP): JUnit XML validity,
coverage JSON, failure lines, deadlines, --update, bad scenario files.

usage: cli_test.py HARNESS MDEDIAG MOCKCLOUD SOURCE_ROOT SPEC
"""
import json, os, shutil, subprocess, sys, tempfile, time
import xml.dom.minidom

harness, mdediag, mockcloud, root, spec = sys.argv[1:6]
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
    cmd = [harness, "--diag", mdediag, "--mockcloud", mockcloud, "--spec", spec] + list(args)
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
    ok("UNCOVERED" in p.stdout, "a full run over a small directory reports uncovered IDs", p.stdout)
    try:
        doc = xml.dom.minidom.parse(junit2)
        fails = doc.getElementsByTagName("failure")
        ok(len(fails) == 1 and "expected os.home-edition" in fails[0].getAttribute("message")
           and doc.getElementsByTagName("testcase")[1].getAttribute("name") == "wrong-<verdict>&",
           "junit failure is well-formed and escaped", doc.toxml()[:2000])
    except Exception as e:  # noqa: BLE001
        ok(False, "junit with a failure is well-formed XML", e)

    # 3. full coverage is enforced: one passing scenario cannot cover the spec.
    only_ok = os.path.join(tmp, "only-ok")
    scenario(only_ok, "right", {"verdict": "net.not-tested", "exit": 0})
    p, _ = run("--scenarios", only_ok)
    ok(p.returncode == 1 and "1 passed, 0 failed" in p.stdout,
       "all passing but spec IDs uncovered: exit 1", p.stdout)

    # 4. a hanging mdediag is killed at the scenario deadline.
    sleeper = os.path.join(tmp, "sleeper.sh")
    with open(sleeper, "w") as f:
        f.write("#!/bin/sh\nsleep 60 &\nsleep 60\n")
    os.chmod(sleeper, 0o755)
    p = subprocess.run([harness, "--diag", sleeper, "--mockcloud", mockcloud, "--spec", spec,
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

    # 6. a malformed scenario file is bad input (exit 2) naming file and member.
    typo = os.path.join(tmp, "typo")
    scenario(typo, "t", {"verdict": "x"}, fixtrue="x")
    p, _ = run("--scenarios", typo)
    ok(p.returncode == 2 and "t/scenario.json: $.fixtrue: unknown member" in p.stderr,
       "unknown scenario member: exit 2 with the path", p.stderr)
    p, _ = run("no-such-scenario")
    ok(p.returncode == 2 and "no scenario named no-such-scenario" in p.stderr,
       "an unknown name is bad usage", p.stderr)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("1..%d" % n)
sys.exit(1 if failed else 0)
