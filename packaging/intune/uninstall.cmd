@echo off
rem Win32 app uninstall command: removes what install.cmd copied, from the
rem same 64-bit Program Files (install.cmd says why %ProgramW6432%).
setlocal
set "DEST=%ProgramW6432%"
if not defined DEST set "DEST=%ProgramFiles%"
del /q "%DEST%\mdediag\mdediag.exe" 2>nul
rmdir "%DEST%\mdediag" 2>nul
exit /b 0
