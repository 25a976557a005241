@echo off
rem Win32 app install command (runs as SYSTEM): copies mdediag.exe next to
rem this file into %ProgramFiles%\mdediag. Nothing else is changed.
mkdir "%ProgramFiles%\mdediag" 2>nul
copy /y "%~dp0mdediag.exe" "%ProgramFiles%\mdediag\mdediag.exe" >nul || exit /b 1
exit /b 0
