#!/usr/bin/env bash
# Kept for old instructions: the set-up is scripts/setup.py (Linux, macOS and Windows alike).
set -euo pipefail
exec python3 "$(dirname "$0")/setup.py" "$@"
