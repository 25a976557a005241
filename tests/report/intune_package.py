#!/usr/bin/env python3
"""packaging/intune: what can be checked without PowerShell (none on the
build machine). The detection script runs mdediag with --format intune,
maps every exit status of the contract (docs/reports.md) so that only 0 is
"without issues", prints one line, and calls nothing that changes the
device; the page documents the same contract; the .cmd files use CRLF."""
import os
import re

from common import HERE, check, finish

PKG = os.path.join(HERE, "..", "..", "packaging", "intune")


def main():
    checked = 0
    ps1 = open(os.path.join(PKG, "Detect-MdeDiag.ps1"), encoding="ascii").read()
    code = re.sub(r"<#.*?#>", "", ps1, flags=re.S)
    code = "\n".join(l for l in code.split("\n") if not l.lstrip().startswith("#"))
    check(re.search(r"& \$MdeDiag --format intune .*--encoding utf-8", code),
          "the script does not run mdediag --format intune --encoding utf-8")
    check("$LASTEXITCODE" in code, "the script ignores mdediag's exit status")
    arms = dict(re.findall(r"^\s*(\d+|default) \{ (.*?) \}$", code, re.M))
    check(set(arms) == {"0", "1", "2", "3", "default"}, "exit statuses mapped: %s" % sorted(arms))
    for k, body in arms.items():
        want = "exit 0" if k == "0" else "exit 1"
        check(body.rstrip().endswith(want), "mdediag exit %s: the script does not %s" % (k, want))
        check("Write-Line" in body, "mdediag exit %s: no output line" % k)
    check(len(re.findall(r"\bexit 0\b", code)) == 1, "the script exits 0 elsewhere than for mdediag's 0")
    # read-only: nothing that writes to the device
    for bad in ("Set-ItemProperty", "New-ItemProperty", "Remove-Item", "reg.exe", "reg add", "reg delete",
                "sc.exe", "Start-Service", "Stop-Service", "Set-MpPreference", "Invoke-WebRequest",
                "Out-File", "Set-Content", "Add-Content", "msiexec", "DISM"):
        check(bad.lower() not in code.lower(), "the detection script calls %s" % bad)
    # braces and parentheses balance (a crude syntax check: no pwsh here)
    stripped = re.sub(r"'[^']*'|\"[^\"]*\"", "", code)
    for o, c in ("{}", "()"):
        check(stripped.count(o) == stripped.count(c), "unbalanced %s%s in the script" % (o, c))
    checked += 6 + 2 * len(arms)
    page = open(os.path.join(PKG, "README.md"), encoding="utf-8").read()
    for needle in ("Win32", "Detect-MdeDiag.ps1", "| 0 |", "| 1 |", "| 2 |", "| 3 |", "64-bit", "SYSTEM"):
        check(needle in page, "README.md does not mention %s" % needle)
        checked += 1
    # issue 21: the 64-bit Program Files whatever the caller's bitness
    # (Intune runs install.cmd in a 32-bit process); the reason on exit 2/3
    check("$env:ProgramW6432" in code, "the detection script does not look in %ProgramW6432%")
    check("2>$null" not in code and "2>&1" in code, "the detection script drops mdediag's stderr")
    for k in ("2", "3", "default"):
        check("$reason" in arms.get(k, ""), "mdediag exit %s: the line drops mdediag's reason" % k)
    check("32-bit Windows 10/11" not in page and "x64" in page and "ARM64" in page and "x86" in page,
          "README.md does not state the platforms (x64, ARM64 by emulation, not x86)")
    checked += 6
    for cmd in ("install.cmd", "uninstall.cmd"):
        raw = open(os.path.join(PKG, cmd), "rb").read()
        body = b"\n".join(l for l in raw.split(b"\r\n") if not l.lower().startswith(b"rem"))
        check(body.count(b"%ProgramW6432%") == 1 and b'set "DEST=%ProgramW6432%"' in body,
              cmd + ": does not take the 64-bit Program Files from %ProgramW6432%")
        check(b"%ProgramFiles%\\mdediag" not in body and b"%DEST%\\mdediag" in body,
              cmd + ": a path under %ProgramFiles% (Program Files (x86) in a 32-bit process)")
        checked += 2
        check(raw.count(b"\n") == raw.count(b"\r\n") > 0, cmd + ": not CRLF")
        check(b"reg " not in raw.lower() and b"sc " not in raw.lower(), cmd + ": changes more than its folder")
        checked += 2
    reports = open(os.path.join(HERE, "..", "..", "docs", "reports.md"), encoding="utf-8").read()
    check("can therefore be just" not in reports, "docs/reports.md still says the exe alone is the script")
    check("packaging/intune" in reports, "docs/reports.md does not point to packaging/intune")
    checked += 2
    finish(checked)


if __name__ == "__main__":
    main()
