#!/usr/bin/env bash
# Re-extracts the GUI strings into translations/workstation_<lang>.ts (pyside6-lupdate)
# and compiles them to .qm (pyside6-lrelease). Run from anywhere; needs ./.venv.
#   translations/update.sh          every language
#   translations/update.sh de       one language
# After it, open the .ts in pyside6-linguist (or an editor), translate what is marked
# type="unfinished", and run it again. tests/gui/test_translation.py lists what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
mapfile -t sources < <(find workstation/ui -name '*.py' | sort; echo workstation/app.py)
existing=()
for f in "${sources[@]}"; do [ -f "$f" ] && existing+=("$f"); done
languages=("${@:-de}")
for lang in "${languages[@]}"; do
  ts="translations/workstation_${lang}.ts"
  "$bin/pyside6-lupdate" -no-obsolete -locations none "${existing[@]}" -ts "$ts"
  "$bin/pyside6-lrelease" -silent "$ts" -qm "translations/workstation_${lang}.qm"
done
