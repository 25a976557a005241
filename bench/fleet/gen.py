#!/usr/bin/env python3
"""Generates a fleet of collected files with a known mix (docs/fleet.md).

    gen.py --mdediag build/diag/mdediag --out DIR --devices N [--seed S]
           [--dups D] [--bad B] [--redacted R] [--csv FILE]

Each device gets one collected file made from a template: a real
`mdediag collect` of a harness network scenario (fixtures/fleet/templates,
gzipped) or a device fixture collected here with --no-network. The host
name, SenseId, site folder and collection time are the device's own. D
devices get a second result (half newer, with another template: it must
win; half older: it must lose). B unreadable files of every kind are added,
and R devices look redacted (host HOST-1, told apart by SenseId only).
--csv also writes the same fleet as an Intune export (one row per device,
its detection output being `mdediag --format intune` of the final result).

DIR.manifest.json (outside DIR) says what was written: every device's final template,
the duplicates and the unreadable files with the word their reason must
contain. Tests compute the expected counts from it; the generator does not
run the diagnosis (except to make the local templates and the CSV lines).
"""
import argparse
import csv
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TEMPLATES = os.path.join(ROOT, "fixtures", "fleet", "templates")
ATP = "HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection"

# template -> weight in the mix (a cycle of 20: counts are exact for N % 20 == 0)
MIX = [
    ("net-eu-proxy-denies-cnc", 5),
    ("net-direct-tls-interception-cnc", 3),
    ("net-cnc-blackholed", 2),
    ("net-static-proxy-407-basic", 2),
    ("net-healthy-standard-us", 2),
    ("net-healthy-streamlined-us", 1),
    ("local-sense-stopped-event15", 2),
    ("local-mdav-stopped", 1),
    ("local-not-elevated-denied", 1),
    ("local-healthy-win11", 1),
]
SITES = ["site-A", "site-C", "site-D", "site-E"]
# unreadable inputs: (file name, what the reason must say)
BAD_KINDS = [
    ("empty.json", "empty"),
    ("truncated.json", "not valid JSON"),
    ("foreign.json", "not a collected file"),
    ("newer-schema.json", "newer mdediag"),
    ("newer-network.json", "newer mdediag"),
    ("binary.bin", "binary"),
    ("notes.txt", "not a collected file"),
    ("export-without-column.csv", "Pre-remediation detection output"),
]


def load_templates(mdediag, tmp):
    t = {}
    for name, _ in MIX:
        if name.startswith("net-"):
            with gzip.open(os.path.join(TEMPLATES, name + ".json.gz"), "rt", encoding="utf-8") as f:
                t[name] = json.load(f)
        else:
            fixture = os.path.join(ROOT, "fixtures", "devices", name[len("local-"):] + ".json")
            out = os.path.join(tmp, name + ".json")
            subprocess.run([mdediag, "collect", "--no-network", "--fixture", fixture,
                            "--output", out], check=True)
            with open(out, encoding="utf-8") as f:
                t[name] = json.load(f)
    return t


def stamp(day, i):
    return "2026-11-%02dT%02d:%02d:%02dZ" % (day, (i // 3600) % 24, (i // 60) % 60, i % 60)


# placeholders of a template's three per-device values: JSON strings that
# need no escaping, as the values put in their place (a host name, 40 hex
# digits, a UTC time) need none
HOLES = ("\x01host\x01", "\x01sid\x01", "\x01when\x01")
_shapes = {}


def device_file(tmpl, host, sense_id, when):
    """The template with the device's host name, SenseId and collection
    time: the bytes json.dumps would write for the edited document, made
    by putting the three values into the template's shape (parsed and
    written once per template, not once per file: 100,000 files in
    seconds, not minutes)."""
    shape = _shapes.get(tmpl)
    if shape is None:
        d = json.loads(tmpl)
        d["hostname"] = HOLES[0]
        d.setdefault("registry", {}).setdefault(ATP, {})["SenseId"] = HOLES[1]
        if "network" in d:
            d["network"]["collected_at"] = HOLES[2]
        else:
            d["clock"] = HOLES[2]
        text = json.dumps(d, separators=(",", ":"))
        for h in HOLES:
            text = text.replace(json.dumps(h), '"%s"' % h)
        assert all(text.count(h) == 1 for h in HOLES)
        shape = _shapes[tmpl] = text.replace("%", "%%").replace(
            '"%s"' % HOLES[0], '"%(host)s"').replace(
            '"%s"' % HOLES[1], '"%(sid)s"').replace('"%s"' % HOLES[2], '"%(when)s"')
    return shape % {"host": host, "sid": sense_id, "when": when}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mdediag", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--devices", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dups", type=int, default=0)
    ap.add_argument("--bad", type=int, default=0, help="sets of unreadable files")
    ap.add_argument("--redacted", type=int, default=0)
    ap.add_argument("--csv")
    ap.add_argument("--no-files", action="store_true",
                    help="with --csv: write the export only (the scale of 100,000 devices without 3 GB of files)")
    ap.add_argument("--manifest", help="default: OUT.manifest.json (outside OUT: fleet reads OUT)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="fleet-gen-")
    templates = {k: json.dumps(v) for k, v in load_templates(a.mdediag, tmp).items()}
    cycle = [name for name, w in MIX for _ in range(w)]
    order = []
    while len(order) < a.devices:
        c = cycle[:]
        rnd.shuffle(c)
        order += c
    order = order[:a.devices]
    devices, files = [], []
    for i, name in enumerate(order):
        host = "PC-%06d" % (i + 1)
        redacted = i < a.redacted
        # the proxy that denies is site B's: the pattern the report must show
        site = "site-B" if name == "net-eu-proxy-denies-cnc" else SITES[i % len(SITES)]
        sense_id = "%040x" % rnd.getrandbits(160)
        dev = {"host": "HOST-1" if redacted else host, "sense_id": sense_id, "site": site,
               "template": name, "redacted": redacted}
        path = os.path.join(a.out, site, host + ".json")
        when = stamp(20, i)
        files.append((path, templates[name], dev["host"], sense_id, when))
        devices.append(dev)
    dups = []
    for k in range(a.dups):
        i = (k * 7919) % len(devices)
        dev = devices[i]
        if any(d["index"] == i for d in dups):
            continue
        other = order[(i + 1) % len(order)]
        if other == dev["template"]:
            other = "net-healthy-standard-us" if other != "net-healthy-standard-us" else "local-mdav-stopped"
        newer = k % 2 == 0
        when = stamp(25 if newer else 10, i)
        path = os.path.join(a.out, "resent", "%s-%s.json" % (dev["site"], "PC-%06d" % (i + 1)))
        files.append((path, templates[other], dev["host"], dev["sense_id"], when))
        dups.append({"index": i, "template": other, "newer": newer, "path": path})
        if newer:
            dev["template"] = other
    for path, tmpl, host, sid, when in ([] if a.no_files else files):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(device_file(tmpl, host, sid, when))
    bad = []
    base = templates["net-healthy-standard-us"]
    for b in range(a.bad):
        d = os.path.join(a.out, "broken", "set-%d" % b)
        os.makedirs(d, exist_ok=True)
        for fname, word in BAD_KINDS:
            p = os.path.join(d, fname)
            with open(p, "wb") as f:
                if fname == "empty.json":
                    pass
                elif fname == "truncated.json":
                    f.write(base[: len(base) // 2].encode())
                elif fname == "foreign.json":
                    f.write(b'{"name": "another tool", "results": [1, 2, 3]}\n')
                elif fname == "newer-schema.json":
                    f.write(base.replace('"mdediag-fixture/1"', '"mdediag-fixture/2"').encode())
                elif fname == "newer-network.json":
                    f.write(base.replace('"format": 1', '"format": 2').encode())
                elif fname == "binary.bin":
                    f.write(bytes(rnd.getrandbits(8) for _ in range(512)) + b"\0")
                elif fname == "notes.txt":
                    f.write(b"PC-000001 was reimaged on Tuesday\n")
                else:
                    f.write(b"Device name,Detection status\r\nPC-1,With issues\r\n")
            bad.append({"path": p, "reason": word})
    if a.csv:
        write_csv(a, devices, templates, tmp)
    manifest = {"devices": devices, "duplicates": dups, "unreadable": bad,
                "mix": dict(MIX)}
    with open(a.manifest or a.out.rstrip("/") + ".manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    shutil.rmtree(tmp)
    return 0


def write_csv(a, devices, templates, tmp):
    """The fleet as Intune exports a remediation's device status: the
    detection output column holds our line (the template's, with the
    device's host put in)."""
    lines = {}
    for name in set(d["template"] for d in devices):
        p = os.path.join(tmp, name + ".line.json")
        with open(p, "w", encoding="utf-8") as f:
            f.write(templates[name])
        lines[name] = subprocess.run([a.mdediag, "--fixture", p, "--format", "intune"],
                                     stdout=subprocess.PIPE).stdout.decode().strip()
    with open(a.csv, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Device name", "Device Id", "User name", "Detection status",
                    "Remediation status", "Pre-remediation detection output",
                    "Pre-remediation detection error", "Last update time"])
        for i, d in enumerate(devices):
            line = lines[d["template"]]
            host = "PC-%06d" % (i + 1)
            parts = line.split(" | ")
            parts = [("host=" + host) if p.startswith("host=") else p for p in parts]
            if not any(p.startswith("host=") for p in parts):
                parts.append("host=" + host)
            w.writerow([host, "%08x-0000-4000-8000-%012x" % (i, i), "user%d@contoso.com" % i,
                        "With issues" if line.startswith("ERROR") else "Without issues",
                        "Not run", " | ".join(parts), "",
                        "2026-11-20T08:%02d:%02d.1234567Z" % ((i // 60) % 60, i % 60)])


if __name__ == "__main__":
    sys.exit(main())
