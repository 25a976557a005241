#!/usr/bin/env python3
"""The HTML says enumerated values in words (issue 14): the device tables,
the verdict, the results and the connectivity table carry no raw code word
of the tool ("script-gpo-mecm", "tls-intercepted", "cnc"; the evidence
section keeps the raw values, as the JSON does); a run that did not test
the network says so in a banner under the verdict; connectivity next steps
name Microsoft's URL lists as text (no external link)."""
import json
import os
import re

from common import LANGS, check, diag, finish, fixtures, name, net_model, render

CAT_DIR = os.path.join(os.environ["REPORT_TESTS"], "..", "..", "data")


def before_evidence(html):
    """The page without its evidence section (which shows raw values)."""
    i = html.find('<section id="evidence"')
    return html[:i] if i >= 0 else html


def visible(html):
    return re.sub(r"<[^>]+>", " ", html)


def main():
    checked = 0
    for lang in LANGS:
        values = json.load(open(os.path.join(CAT_DIR, "messages-%s.json" % lang), encoding="utf-8"))["values"]
        # the words that must never show raw when the catalog has words for them
        raw_words = [k for k, v in values.items() if k and v != k and re.match(r"^[a-z]+(?:-[a-z]+)+$", k)]
        check("script-gpo-mecm" in raw_words and "tls-intercepted" in raw_words, "values lack the issue's words")
        for fx in fixtures(hostile=False):
            html = diag(fx, "html", lang)[0].decode("utf-8")
            page = visible(before_evidence(html))
            for w in raw_words:
                check(not re.search(r"(?<![\w./-])%s(?![\w/-])" % re.escape(w), page),
                      "%s/%s: raw %r in the HTML" % (name(fx), lang, w))
            # the banner lists what was not determined (verdict.not_determined),
            # and is absent when there is nothing
            nd = json.loads(diag(fx, "json", lang)[0])["verdict"].get("not_determined", [])
            check(('<section id="not-tested"' in html) == bool(nd),
                  "%s/%s: 'not tested' banner %s" % (name(fx), lang, "missing" if nd else "without cause"))
            for x in nd:
                check(x["id"] in html, "%s/%s: %s not in the banner" % (name(fx), lang, x["id"]))
            checked += 1 + len(raw_words)
        model = net_model()
        html = render(model, "html", lang).decode("utf-8")
        page = visible(before_evidence(html))
        for w in raw_words:
            check(not re.search(r"(?<![\w./-])%s(?![\w/-])" % re.escape(w), page),
                  "tls/%s: raw %r in the HTML" % (lang, w))
        check(values["tls-intercepted"] in page, "tls/%s: the result class is not in words" % lang)
        check('<section id="not-tested"' not in html, "tls/%s: banner although the network was probed" % lang)
        for url in ("aka.ms/MDE-streamlined-urls", "aka.ms/MDE-standard-urls"):
            check(url in page, "tls/%s: %s not named" % (lang, url))
            check('href="https://' + url not in html and 'href="' + url not in html,
                  "tls/%s: %s is a link (the page links nowhere outside)" % (lang, url))
        text = render(model, "text", lang).decode("utf-8")
        check("aka.ms/MDE-streamlined-urls" in text, "tls/%s: the text next step lacks the URL lists" % lang)
        checked += 6 + len(raw_words)
    finish(checked)


if __name__ == "__main__":
    main()
