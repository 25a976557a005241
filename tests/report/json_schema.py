#!/usr/bin/env python3
"""The JSON report of every fixture (both languages, the hostile one) and
the synthetic TLS-inspection model validate against docs/report.schema.json;
reports broken on purpose do not (so the validator is not vacuous).
The validator is python3-jsonschema (Draft 2020-12); the schema itself must
be valid against the meta-schema and use only keywords that validator
knows, so a misspelt keyword cannot silently check nothing."""
import copy
import json
import os

import jsonschema

from common import LANGS, check, diag, finish, fixtures, name, net_model, real_net_model, render

SCHEMA = json.load(open(os.environ["SCHEMA"], encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
# keywords that only annotate or structure the schema, or that another
# keyword's validator reads ("then"/"else" belong to "if")
ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default",
               "examples", "deprecated", "readOnly", "writeOnly", "then", "else"}
DATA = {"enum", "const", "default", "examples", "required"}  # values, not schemas


def unknown_keywords(schema, path="#"):
    """Keywords of the schema that the validator would silently ignore."""
    bad = []
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k not in VALIDATOR.VALIDATORS and k not in ANNOTATIONS:
                bad.append("%s/%s" % (path, k))
            if k in ("properties", "$defs", "patternProperties"):
                for n, sub in v.items():
                    bad += unknown_keywords(sub, "%s/%s/%s" % (path, k, n))
            elif k not in DATA and isinstance(v, (dict, list)):
                bad += unknown_keywords(v, "%s/%s" % (path, k))
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            bad += unknown_keywords(sub, "%s/%d" % (path, i))
    return bad


def validate(instance, schema=SCHEMA):
    """A list of "$.path: message" errors, empty when valid."""
    return ["%s: %s" % (e.json_path, e.message) for e in VALIDATOR.iter_errors(instance)]


def main():
    checked = 0
    try:
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
    except jsonschema.SchemaError as e:
        check(False, "docs/report.schema.json is not a valid 2020-12 schema: %s" % e.message)
    bad = unknown_keywords(SCHEMA)
    check(not bad, "schema keywords the validator ignores: %s" % bad)
    checked += 2
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
