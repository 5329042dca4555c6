#!/usr/bin/env bash
# Kill test of a batched automation run on a real server (not part of
# scripts/test.sh): 300 customers with letters, SIGKILL in the middle of the
# run, restart, exactly one reminder / fees entry / email per customer.
#   scripts/crash_test.sh [customers=300] [--cron-workers N] [--kill-at K, 0: timed, no kill]
# Environment: DB (default dun_scale_crash, recreated), PORT (default 8275).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
DB=${DB:-dun_scale_crash}
PORT=${PORT:-8275}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/${MODULE}_crash.XXXXXX")
odoo_available || { echo "Odoo 18 is not importable by '$PYTHON'" >&2; exit 1; }
start_postgres && ensure_db_role
ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
dropdb --if-exists "$DB"
"$PYTHON" -m odoo --addons-path="$ADDONS" -d "$DB" --db_replica_host="" -i "$MODULE" \
    --without-demo=all --stop-after-init --log-level=warn --http-port="$PORT" \
    --http-interface=127.0.0.1
exec "$PYTHON" "$ROOT/scripts/crash_test.py" -d "$DB" --addons-path="$ADDONS" --port "$PORT" \
    --customers "${1:-300}" --logdir "$WORK" "${@:2}"
