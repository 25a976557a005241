#!/usr/bin/env python3
"""The JSON report of every fixture (both languages, the hostile one) and
the synthetic TLS-inspection model validate against docs/report.schema.json;
reports broken on purpose do not (so the validator is not vacuous)."""
import copy
import json
import os

from common import LANGS, check, diag, finish, fixtures, name, net_model, real_net_model, render
from minischema import validate

SCHEMA = json.load(open(os.environ["SCHEMA"], encoding="utf-8"))


def main():
    checked = 0
    sample = None
    for fx in fixtures():
        for lang in LANGS:
            raw, _ = diag(fx, "json", lang)
            try:
                report = json.loads(raw)
            except ValueError as e:
                check(False, "%s/%s: not JSON: %s" % (name(fx), lang, e))
                continue
            errs = validate(report, SCHEMA)
            check(not errs, "%s/%s: %s" % (name(fx), lang, "; ".join(errs[:5])))
            checked += 1
            sample = sample or report
    net = json.loads(render(net_model(), "json", "en"))
    errs = validate(net, SCHEMA)
    check(not errs, "tls model: " + "; ".join(errs[:5]))
    checked += 1
    real = real_net_model()  # a real probe against the mock cloud
    if real:
        errs = validate(json.load(open(real)), SCHEMA)
        check(not errs, "real probe report: " + "; ".join(errs[:5]))
        checked += 1

    # broken on purpose: each must be rejected
    def broken(label, mutate, base):
        r = copy.deepcopy(base)
        mutate(r)
        check(validate(r, SCHEMA), "schema accepts a report with " + label)
    ep = next(i for i, f in enumerate(net["findings"]) if f["id"] == "net.endpoint")
    cases = [
        ("no verdict", lambda r: r.pop("verdict"), sample),
        ("verdict without id", lambda r: r["verdict"].pop("id"), sample),
        ("severity 'fatal'", lambda r: r["findings"][0].__setitem__("severity", "fatal"), sample),
        ("a check ID in capitals", lambda r: r["findings"][0].__setitem__("id", "Sense.Stopped"), sample),
        ("a string count", lambda r: r["summary"].__setitem__("error", "1"), sample),
        ("build_ubr 'x'", lambda r: r["device"].__setitem__("build_ubr", "x"), sample),
        ("endpoint without host", lambda r: r["findings"][ep]["evidence"].pop("host"), net),
        ("endpoint port 0", lambda r: r["findings"][ep]["evidence"].__setitem__("port", 0), net),
        ("interception without issuer", lambda r: r["findings"][ep]["evidence"].pop("issuer"), net),
        ("unknown probe result", lambda r: r["findings"][ep]["evidence"].__setitem__("result", "weird"), net),
    ]
    for label, m, base in cases:
        broken(label, m, base)
        checked += 1
    finish(checked)


if __name__ == "__main__":
    main()
