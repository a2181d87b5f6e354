#!/usr/bin/env bash
# Start Edit Factory for development: create .venv if missing, install the project, run `invoke dev`.
# Arguments go to `invoke dev`, e.g. ./start-dev.sh --no-browser --studio-port 5007. All logic lives in tasks.py.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"

if [ ! -x .venv/bin/python ]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "Python 3.11 was not found as '$PYTHON'. Install it, or run: PYTHON=/path/to/python3.11 $0" >&2
        exit 1
    fi
    echo "Creating the virtual environment in .venv ..."
    "$PYTHON" -m venv .venv
fi

# Install (again) when the project's requirements changed since the last install.
stamp=.venv/.editfactory-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing Edit Factory into .venv ..."
    .venv/bin/python -m pip install -e ".[dev]"
    touch "$stamp"
fi

exec .venv/bin/invoke dev "$@"
