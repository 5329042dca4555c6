#!/usr/bin/env bash
# Benchmark of the collection insight (dashboard queries, nightly payment
# score, forecast) at 10,000 invoices. Creates the database
# dunning_insight_bench (module installed without demo data) on first use,
# then runs scripts/benchmark_insight.py; its data is rolled back.
#   scripts/benchmark_insight.sh [customers=1000] [invoices-per-customer=10]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
DB=${DB:-dunning_insight_bench}
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}
odoo_available || { echo "Odoo 18 is not importable by '$PYTHON'" >&2; exit 1; }
start_postgres && ensure_db_role
ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='$MODULE' and state='installed'" 2>/dev/null | grep -q 1; then
    "$PYTHON" -m odoo --addons-path="$ADDONS" -d "$DB" --db_replica_host="" -i "$MODULE" \
        --without-demo=all --stop-after-init --log-level=warn --http-port="${TEST_HTTP_PORT:-8169}"
else
    "$PYTHON" -m odoo --addons-path="$ADDONS" -d "$DB" --db_replica_host="" -u "$MODULE" \
        --stop-after-init --log-level=warn --http-port="${TEST_HTTP_PORT:-8169}"
fi
exec "$PYTHON" "$ROOT/scripts/benchmark_insight.py" -d "$DB" --addons-path="$ADDONS" \
    --customers "${1:-1000}" --invoices "${2:-10}"
