<#
.SYNOPSIS
    Intune Remediations detection script: runs mdediag and reports its line.

.DESCRIPTION
    mdediag.exe must already be on the device: deploy it first as a Win32 app
    (packaging/intune/README.md); this script does not download anything.

    It runs "mdediag.exe --format intune", writes the tool's one line (at
    most 2,048 bytes: verdict, error and warning IDs, next step, device facts)
    as the script's only output line, the line Intune shows in the
    "Pre-remediation detection output" column, and exits:

      0  mdediag found no error (exit 0)             -> "Without issues"
      1  mdediag found an error (exit 1)             -> "With issues"
      1  mdediag could not diagnose (exit 2 or 3, missing, no output): the
         line starts with "ERROR mdediag." and carries mdediag's own
         one-line reason from its stderr. A failed diagnosis is never
         reported as "no issue".

    There is no remediation script to pair with it: mdediag only reads and
    the fix (the next= field) is for a person. The script changes nothing on
    the device.

    Run it as SYSTEM (not with the logged-on credentials) in 64-bit
    PowerShell, so mdediag can read the Sense service and the registry.
#>

# Where the Win32 app installs mdediag.exe (install.cmd): the 64-bit
# Program Files, also when this script runs in 32-bit PowerShell (there
# $env:ProgramFiles is "Program Files (x86)"; $env:ProgramW6432 is the
# 64-bit one in either).
$ProgramFiles64 = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$MdeDiag = Join-Path $ProgramFiles64 'mdediag\mdediag.exe'
# Report language: 'en' or 'ja'. SYSTEM's UI language is not the user's,
# so it is stated here rather than guessed.
$Lang = 'en'

function Write-Line([string]$Text) {
    # Intune keeps the last line of output, 2,048 characters at most.
    $one = ($Text -replace '[\r\n]+', ' ').Trim()
    if ($one.Length -gt 2048) { $one = $one.Substring(0, 2048) }
    Write-Output $one
}

if (-not (Test-Path -LiteralPath $MdeDiag -PathType Leaf)) {
    Write-Line "ERROR mdediag.missing: $MdeDiag not found; deploy the mdediag Win32 app to this device first"
    exit 1
}

# mdediag is told to write UTF-8 (--encoding utf-8: its default in a pipe
# is the console's code page) and PowerShell to read UTF-8, not the OEM
# code page. Setting it can fail where the host has no console; the
# --encoding alone then still gives UTF-8 bytes.
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch { }

$line = $null
$reason = $null
$code = -1
try {
    # stderr is merged and taken apart again: its lines come back as
    # ErrorRecords. Nothing reaches the script's own stderr (Intune would
    # see a script error), and mdediag's one-line reason on exit 2 or 3
    # ("mdediag: bad fixture: ...") is kept for the output line.
    $out = & $MdeDiag --format intune --lang $Lang --encoding utf-8 2>&1
    $code = $LASTEXITCODE
    $line = @($out) | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and "$_" } |
        Select-Object -Last 1
    $reason = @($out) | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } |
        ForEach-Object { "$_".Trim() } | Where-Object { $_ -and $_ -notlike 'Try *' } | Select-Object -First 1
} catch {
    Write-Line "ERROR mdediag.failed: could not run ${MdeDiag}: $($_.Exception.Message)"
    exit 1
}

switch ($code) {
    0 { Write-Line $line; exit 0 }
    1 { Write-Line $line; exit 1 }
    2 { Write-Line "ERROR mdediag.usage: mdediag exit 2 (bad usage or input): $reason $line"; exit 1 }
    3 { Write-Line "ERROR mdediag.internal: mdediag exit 3 (internal failure, or the report could not be written): $reason $line"; exit 1 }
    default { Write-Line "ERROR mdediag.failed: mdediag exit ${code}: $reason $line"; exit 1 }
}
