#!/usr/bin/env python3
"""HTML reports of every fixture (and the hostile one, and the synthetic
TLS-inspection model), in both languages, parse as well-formed HTML whose
markup is only ours: no element, attribute or URL comes from the device."""
import json
import re
from html.parser import HTMLParser

from common import (HOSTILE, LANGS, check, diag, finish, fixtures, name,
                    net_model, render)

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1",
                "h2", "h3", "p", "main", "section", "div", "span", "table",
                "colgroup", "col", "thead", "tbody", "tr", "th", "td", "a", "b",
                "code", "pre", "dl", "dt", "dd", "ol", "ul", "li", "strong", "footer", "br", "wbr"}
VOID = {"meta", "col", "br", "wbr"}
ALLOWED_ATTRS = {"class", "id", "href", "charset", "http-equiv", "content", "name",
                 "lang", "style"}
ID_RE = re.compile(r"^[a-z0-9-]+$")
CLASS_RE = re.compile(r"^[a-z -]+$")


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text, self.count = [], [], [], {}
        self.ids = set()
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag not in ALLOWED_TAGS:
            self.errors.append("unexpected element <%s>" % tag)
        for k, v in attrs:
            if k not in ALLOWED_ATTRS or k.startswith("on"):
                self.errors.append("unexpected attribute %s=%r on <%s>" % (k, v, tag))
            elif k == "href" and not re.match(r"^#f\d+$", v or ""):
                self.errors.append("link outside the page: %r" % v)
            elif k == "id" and not ID_RE.match(v or ""):
                self.errors.append("odd id %r" % v)
            elif k == "class" and not CLASS_RE.match(v or ""):
                self.errors.append("odd class %r" % v)
            elif k == "style" and (tag != "col" or not re.match(r"^width:\d+%$", v or "")):
                self.errors.append("style attribute %r on <%s>" % (v, tag))
            if k == "id":
                if v in self.ids:
                    self.errors.append("duplicate id %r" % v)
                self.ids.add(v)
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()

    def handle_data(self, data):
        if not self.in_style:
            self.text.append(data)

    def handle_comment(self, data):
        self.errors.append("comment in the output: %r" % data[:40])


def inspect(label, raw):
    n = 0
    try:
        html = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, "%s: not UTF-8: %s" % (label, e))
        return 1, None
    n += 1
    check(not re.search(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]", html),
          "%s: control or bidi characters in the output" % label)
    p = Checker()
    p.feed(html)
    p.close()
    for e in p.errors[:5]:
        check(False, "%s: %s" % (label, e))
    check(not p.stack, "%s: unclosed elements %s" % (label, p.stack))
    for t in ("html", "head", "body", "title", "style", "main"):
        check(p.count.get(t) == 1, "%s: %d <%s> elements" % (label, p.count.get(t, 0), t))
    check(html.startswith("<!DOCTYPE html>"), label + ": no doctype")
    check("Content-Security-Policy" in html and "default-src 'none'" in html,
          label + ": no CSP")
    for sec in ("verdict", "device", "summary", "results", "evidence",
                "general-device-details", "edr-component-details",
                "av-component-details", "detailed-results"):
        check(sec in p.ids, "%s: no #%s" % (label, sec))
    return n + 8, p


def main():
    checked = 0
    for fx in fixtures():
        for lang in LANGS:
            raw, rc = diag(fx, "html", lang)
            label = "%s/%s" % (name(fx), lang)
            n, p = inspect(label, raw)
            checked += n
            if not p:
                continue
            model = json.loads(diag(fx, "json", lang)[0])
            rows = len([f for f in model["findings"] if f["id"] != "verdict"])
            # every finding has one results row and one evidence block
            evs = len([i for i in p.ids if re.match(r"^f\d+$", i)])
            check(evs == rows, "%s: %d evidence blocks for %d findings" % (label, evs, rows))
            check(p.count.get("tr", 0) > rows, "%s: too few table rows" % label)
            checked += 2
            if fx == HOSTILE:
                text = "".join(p.text)
                for s in ("<script>alert('host')</script>", "</td></tr></table><script>alert(4)</script>",
                          "\"><img src=x onerror=alert(1)>"):
                    check(s in text, "%s: hostile string %r not shown as text" % (label, s))
                check("\ufffd" in text, label + ": invalid bytes not replaced by U+FFFD")
                check("\u202e" not in text and "\x1b" not in text, label + ": bidi/escape passed")
                longest = max(len(t) for t in p.text)
                check(longest < 2200, "%s: a %d-character text node (values must be cut)" % (label, longest))
                check(len(raw) < 400000, label + ": report too large (%d bytes)" % len(raw))
                checked += 6
    model = net_model()
    for lang in LANGS:
        raw = render(model, "html", lang)
        n, p = inspect("tls-inspection/" + lang, raw)
        checked += n
        if p:
            html = raw.decode()
            check("connectivity-table" in p.ids, "tls/%s: no connectivity table" % lang)
            check("Contoso TLS Inspection CA" in html, "tls/%s: issuer not shown" % lang)
            check("&lt;script&gt;alert(6)" in html, "tls/%s: root not escaped" % lang)
            check("&quot;by policy&quot; &lt;b&gt;" in html, "tls/%s: proxy block title not escaped" % lang)
            check("class=\"cut\"" in html, "tls/%s: the 10 kB subject is not cut" % lang)
            check(max(len(t) for t in p.text) < 2200, "tls/%s: uncut text node" % lang)
            checked += 6
    finish(checked)


if __name__ == "__main__":
    main()
