#!/usr/bin/env bash
# Creates ./.venv and installs the workstation into it.
#   installer/install.sh        the application
#   installer/install.sh test   the application and what its tests need
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
