@echo off
rem Win32 app install command (runs as SYSTEM): copies mdediag.exe next to
rem this file into the 64-bit Program Files, <ProgramFiles>\mdediag.
rem Nothing else is changed.
rem
rem The Intune Management Extension runs this command in a 32-bit process,
rem where %ProgramFiles% is "C:\Program Files (x86)" (WOW64). %ProgramW6432%
rem is the 64-bit Program Files in 32-bit and 64-bit processes alike, on x64
rem and on ARM64 Windows; it is undefined only on 32-bit Windows, where the
rem x64 mdediag.exe cannot run: refused there, nothing copied.
setlocal
set "DEST=%ProgramW6432%"
if not defined DEST if /i "%PROCESSOR_ARCHITECTURE%"=="AMD64" set "DEST=%ProgramFiles%"
if not defined DEST if /i "%PROCESSOR_ARCHITECTURE%"=="ARM64" set "DEST=%ProgramFiles%"
if not defined DEST (
  echo install.cmd: mdediag.exe is x64 only; this is 32-bit Windows ^(PROCESSOR_ARCHITECTURE=%PROCESSOR_ARCHITECTURE%^) 1>&2
  exit /b 1
)
if not exist "%DEST%\mdediag\" mkdir "%DEST%\mdediag"
copy /y "%~dp0mdediag.exe" "%DEST%\mdediag\mdediag.exe" >nul
if errorlevel 1 exit /b 1
exit /b 0
