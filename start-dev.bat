@echo off
rem Start Edit Factory for development: create .venv if missing, install the project, run `invoke dev`.
rem Arguments go to `invoke dev`, e.g. start-dev.bat --no-browser --studio-port 5007. All logic lives in tasks.py.
setlocal
cd /d "%~dp0"

if not exist ".venv\Scripts\python.exe" (
    echo Creating the virtual environment in .venv ...
    py -3.11 -m venv .venv 2>nul || python -m venv .venv
    if errorlevel 1 (
        echo Python 3.11 was not found. Install it from python.org ^(tick "Add to PATH"^), then run this again. 1>&2
        exit /b 1
    )
)

rem Quick when nothing changed: pip only checks what is already installed.
echo Installing Edit Factory into .venv ...
".venv\Scripts\python.exe" -m pip install -q -e ".[dev]" || exit /b 1

".venv\Scripts\invoke.exe" dev %*
