#!/usr/bin/env bash
# Prints a Python >= 3.12 interpreter (Django 6 needs it); pyenv installs are searched too.
for c in "${PYTHON:-}" python3.14 python3.13 python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do
  [ -n "$c" ] || continue
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    command -v "$c"; exit 0
  fi
done
echo "no Python >= 3.12 found; install python3.12 or set PYTHON=/path/to/python3.12" >&2
exit 1
