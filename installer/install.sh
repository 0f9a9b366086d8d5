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
# GUI translations: .ts -> .qm (the GUI also compiles a missing or stale one at start-up)
for ts in translations/*.ts; do
  if [ -e "$ts" ]; then .venv/bin/pyside6-lrelease -silent "$ts" -qm "${ts%.ts}.qm"; fi
done
