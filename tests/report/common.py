"""Shared helpers of the report tests (stdlib only)."""
import glob
import json
import os
import subprocess
import sys
import unicodedata

MDEDIAG = os.environ["MDEDIAG"]
RENDER_MODEL = os.environ["RENDER_MODEL"]
FIXTURES = os.environ["FIXTURES"]
HERE = os.environ["REPORT_TESTS"]
OUTDIR = os.environ["OUTDIR"]
# The test script's name: files a test writes to OUTDIR carry it, since the
# report tests run side by side and must not rewrite each other's inputs
# (a model truncated by one test while another read it: report-intune-line,
# "Expecting value: line 1 column 1").
TEST = os.path.splitext(os.path.basename(sys.argv[0]))[0]
HOSTILE = os.path.join(HERE, "fixtures", "hostile.json")
LANGS = ("en", "ja")


def fixtures(hostile=True):
    """Every device fixture of the project, plus the hostile one."""
    out = sorted(f for f in glob.glob(os.path.join(FIXTURES, "*.json"))
                 if not os.path.basename(f).startswith("expected"))
    if hostile:
        out.append(HOSTILE)
    assert len(out) > 5, "no fixtures found in " + FIXTURES
    return out


def name(path):
    return os.path.splitext(os.path.basename(path))[0]


def run(args, env=None, check_rc=(0, 1)):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env or {})
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, timeout=60)
    if check_rc is not None and p.returncode not in check_rc:
        fail("%s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p


def diag(fixture, fmt, lang="en", env=None):
    """stdout bytes and exit status of mdediag on a fixture."""
    p = run([MDEDIAG, "--fixture", fixture, "--no-network", "--format", fmt, "--lang", lang], env)
    return p.stdout, p.returncode


def real_net_model():
    """The report of a real run with network findings, or None when the mock
    cloud is not built: mdediag probes a healthy device whose static proxy
    re-signs TLS like an inspection appliance. Returns the model's path."""
    mockcloud = os.environ.get("MOCKCLOUD", "")
    if not os.path.exists(mockcloud):
        return None
    import shutil
    import tempfile
    tmp = tempfile.mkdtemp(prefix="report-net-")
    cfg = os.path.join(tmp, "cloud.json")
    fx = json.load(open(os.path.join(FIXTURES, "healthy-win11.json")))
    # the world's time is the device's, as the harness sets it (net.clock)
    json.dump({"proxies": [{"name": "corp", "as": "proxy.contoso.local:8080", "mode": "intercept"}],
               "clock": {"at": fx["clock"]}},
              open(cfg, "w"))
    fx["registry"]["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection"] = {
        "TelemetryProxyServer": "proxy.contoso.local:8080"}
    fx["dns"] = {"*": ["127.0.0.1"]}
    fxp = os.path.join(tmp, "device.json")
    json.dump(fx, open(fxp, "w"))
    cloud = subprocess.Popen([mockcloud, "--config", cfg, "--seed", "7", "--ca-dir", tmp],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready = json.loads(cloud.stdout.readline())
        args = [MDEDIAG, "--fixture", fxp, "--format", "json", "--anchors", ready["ca"], "--timeout", "10"]
        for rule in ready["connect_to"]:
            args += ["--connect-to", rule]
        p = run(args)
        out = os.path.join(OUTDIR, "model-tls-inspection-real.%s.json" % TEST)
        open(out, "wb").write(p.stdout)
        model = json.loads(p.stdout)
        if model["verdict"]["id"] != "net.tls-inspection":
            fail("real TLS-inspection run: verdict %s" % model["verdict"]["id"])
        return out
    finally:
        cloud.terminate()
        cloud.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def net_model():
    """The synthetic report with the probe's network findings (TLS
    inspection) and hostile strings, written to the build tree; returns its
    path."""
    base = os.path.join(OUTDIR, "base-healthy.%s.json" % TEST)
    out = os.path.join(OUTDIR, "model-tls-inspection.%s.json" % TEST)
    data, _ = diag(os.path.join(FIXTURES, "healthy-win11.json"), "json")
    open(base, "wb").write(data)
    subprocess.run([sys.executable, os.path.join(HERE, "make_net_model.py"), base, out], check=True)
    return out


def render(model, fmt, lang="en", width=None, verbose=None):
    args = [RENDER_MODEL, model, fmt, lang] + ([str(width)] if width else []) + ([verbose] if verbose else [])
    return run(args, check_rc=(0,)).stdout


def columns(line):
    """Display columns of a line: East Asian wide/fullwidth count 2."""
    w = 0
    for ch in line:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def finish(checked):
    """Exit status for meson: never pass by doing nothing."""
    if not checked:
        print("FAIL: nothing was checked")
        sys.exit(1)
    print("%d checks, %d failures" % (checked, len(FAILURES)))
    sys.exit(1 if FAILURES else 0)
