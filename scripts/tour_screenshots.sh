#!/usr/bin/env bash
# Runs the web client tour of a billing clerk (create -> Issue & Send -> print
# for three customers, then the sending dialog; tests/test_dunning_send_tour.py)
# in headless Chromium and keeps a screenshot of each stage:
#   scripts/tour_screenshots.sh [OUTPUT_DIR]   (default ./tour_screenshots)
# Needs Odoo 18, PostgreSQL, Chromium and websocket-client (installed if missing).
#   DB=name (default dunning_tour, recreated), PORT=8169.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
OUT=$(mkdir -p "${1:-tour_screenshots}" && cd "${1:-tour_screenshots}" && pwd)
DB=${DB:-dunning_tour}
PORT=${PORT:-8169}
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}

if ! odoo_available; then
    echo "Odoo 18 is not importable by '$PYTHON': install Odoo 18 (or set ODOO_PYTHON)." >&2
    exit 1
fi
"$PYTHON" -c "import websocket" 2>/dev/null || "$PYTHON" -m pip install -q websocket-client
start_postgres || { echo "PostgreSQL could not be started" >&2; exit 1; }
ensure_db_role || { echo "No PostgreSQL role for $(id -un)" >&2; exit 1; }
ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
dropdb --if-exists "$DB"
LOG="$OUT/tour.log"
"$PYTHON" -m odoo --addons-path="$ADDONS" -d "$DB" --db-filter="^${DB}\$" --db_replica_host="" \
    --http-interface=127.0.0.1 --http-port="$PORT" --max-cron-threads=0 --stop-after-init \
    -i "$MODULE" --without-demo=all --test-enable \
    --test-tags "/$MODULE:TestDunningSendTour" --screenshots="$OUT" >"$LOG" 2>&1 || true
dropdb --if-exists "$DB"
grep -E "tests when loading|FAIL|ERROR" "$LOG" || true
# Odoo saves them under OUTPUT_DIR/<db>/screenshots: brought up, named by stage.
find "$OUT/$DB" -name 'dunning_*.png' -exec mv {} "$OUT" \; 2>/dev/null || true
rm -rf "${OUT:?}/$DB"
ls -1 "$OUT"/*.png
