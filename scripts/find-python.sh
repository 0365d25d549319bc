#!/usr/bin/env bash
# Prints a Python >= 3.12 interpreter (Django 6 needs it); pyenv installs are searched too.
# With an argument X.Y, a Python X.Y exactly (make test-django52 runs on the oldest supported, 3.11).
if [ -n "${1:-}" ]; then
  for c in "${PYTHON_OLDEST:-}" "python$1" /root/.pyenv/versions/"$1".*/bin/python"$1"; do
    [ -n "$c" ] || continue
    # the interpreter itself (not a pyenv shim), if it is Python X.Y
    found=$(command -v "$c" >/dev/null 2>&1 && "$c" -c "import sys; v = '%d.%d' % sys.version_info[:2]; print(sys.executable if v == '$1' else '')" 2>/dev/null)
    if [ -n "$found" ]; then echo "$found"; exit 0; fi
  done
  echo "no Python $1 found; install python$1 or set PYTHON_OLDEST=/path/to/python$1" >&2
  exit 1
fi
for c in "${PYTHON:-}" python3.14 python3.13 python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do
  [ -n "$c" ] || continue
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    command -v "$c"; exit 0
  fi
done
echo "no Python >= 3.12 found; install python3.12 or set PYTHON=/path/to/python3.12" >&2
exit 1
