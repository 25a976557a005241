@echo off
rem Win32 app uninstall command: removes what install.cmd copied.
del /q "%ProgramFiles%\mdediag\mdediag.exe" 2>nul
rmdir "%ProgramFiles%\mdediag" 2>nul
exit /b 0
