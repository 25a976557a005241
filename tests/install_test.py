#!/usr/bin/env python3
"""install_test.py - `meson install --destdir` puts mdediag, its manual page,
the docs and the LICENSE where the README says, the installed program runs,
the manual page renders without warnings and describes every option of
`mdediag --help`. TAP.

usage: install_test.py MESON BUILD_DIR SOURCE_ROOT PREFIX BINDIR MANDIR DATADIR
"""
import os, re, shutil, subprocess, sys, tempfile

meson, build, root, prefix, bindir, mandir, datadir = sys.argv[1:8]
n = failed = 0


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, name))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print("# " + line)


def under(dest, d):
    d = d if os.path.isabs(d) else os.path.join(prefix, d)
    return os.path.join(dest, d.lstrip("/"))


dest = tempfile.mkdtemp(prefix="mdediag-install-")
try:
    p = subprocess.run([meson, "install", "-C", build, "--destdir", dest, "--no-rebuild",
                        "--quiet"], capture_output=True, text=True, timeout=120)
    ok(p.returncode == 0, "meson install --destdir succeeds", p.stdout + p.stderr)

    exe = os.path.join(under(dest, bindir), "mdediag")
    ok(os.access(exe, os.X_OK), "bin/mdediag is installed and executable", exe)
    v = subprocess.run([exe, "--version"], capture_output=True, text=True)
    ok(v.returncode == 0 and v.stdout.startswith("mdediag "), "the installed mdediag runs",
       v.stdout + v.stderr)
    for tool in ("mockcloud", "harness"):
        ok(not os.path.exists(os.path.join(under(dest, bindir), tool)),
           "%s (a development tool) is not installed" % tool)

    docdir = os.path.join(under(dest, datadir), "doc", "mdediag")
    want = ["LICENSE", "README.md"] + sorted(
        f for f in os.listdir(os.path.join(root, "docs")) if f.endswith((".md", ".json")))
    missing = [f for f in want if not os.path.isfile(os.path.join(docdir, f))]
    ok(not missing, "share/doc/mdediag holds the LICENSE, README and every docs/ page",
       "missing: %s" % missing)
    with open(os.path.join(docdir, "LICENSE"), encoding="utf-8") as f:
        lic = f.read()
    ok(lic.startswith("MIT License") and "the mdediag authors" in lic, "the LICENSE is MIT")

    man = os.path.join(under(dest, mandir), "man1", "mdediag.1")
    ok(os.path.isfile(man), "share/man/man1/mdediag.1 is installed", man)
    if os.path.isfile(man) and shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
        r = subprocess.run(["man", "--warnings", "-l", man], capture_output=True, text=True,
                           env=env, timeout=60)
        ok(r.returncode == 0 and "mdediag" in r.stdout and r.stderr.strip() == "",
           "man -l renders the page without warnings", r.stderr)
    else:
        ok(False, "man -l renders the page (man-db is in scripts/setup.sh)", "no man")
    if os.path.isfile(man):
        with open(man, encoding="utf-8") as f:
            page = f.read().replace("\\-", "-")
        helptext = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
        opts = sorted(set(re.findall(r"--[a-z][a-z-]+", helptext)))
        undocumented = [o for o in opts if o not in page]
        ok(opts and not undocumented, "the page describes every option of mdediag --help",
           "undocumented: %s" % undocumented)
        th = re.search(r'^\.TH .*"(mdediag [^"]+)"', page, re.M)
        ok(th and th.group(1) == v.stdout.strip(), "the page's version is the program's",
           "%s vs %s" % (th and th.group(1), v.stdout.strip()))
finally:
    shutil.rmtree(dest, ignore_errors=True)

print("1..%d" % n)
sys.exit(1 if failed else 0)
