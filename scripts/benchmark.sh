#!/usr/bin/env bash
# Benchmark of the full daily run side by side with OCA account_credit_control
# 18.0 (speed goals live in scripts/benchmark.py, not in the tests). Not part
# of scripts/test.sh. Creates the template database ${BENCH_DB_PREFIX}_base
# (default dun_scale_bench_base: both modules installed, no demo data) on first use; account_credit_control is
# fetched from PyPI (pip download of the wheel) into its own folder.
#   scripts/benchmark.sh [--sizes 1000,10000,20000] [--pdf-invoices 100] [--no-credit-control]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/${MODULE}_bench}
BASE=${BENCH_DB_PREFIX:-dun_scale_bench}_base
odoo_available || { echo "Odoo 18 is not importable by '$PYTHON'" >&2; exit 1; }
start_postgres && ensure_db_role
ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
MODULES=$MODULE
OCA="$WORK/oca"
if [ ! -d "$OCA/odoo/addons/account_credit_control" ]; then
    mkdir -p "$WORK/wheel"
    if "$PYTHON" -m pip download -q --no-deps "odoo-addon-account-credit-control>=18.0,<18.1" \
            -d "$WORK/wheel" >/dev/null 2>&1; then
        "$PYTHON" -c "import sys, zipfile, glob; zipfile.ZipFile(sorted(glob.glob(sys.argv[1] + '/*.whl'))[-1]).extractall(sys.argv[2])" \
            "$WORK/wheel" "$OCA"
    fi
fi
EXTRA=()
if [ -d "$OCA/odoo/addons/account_credit_control" ]; then
    ADDONS="$ADDONS,$OCA/odoo/addons"
    MODULES="$MODULE,account_credit_control"
else
    echo "account_credit_control could not be fetched from PyPI: benchmark of this module alone" >&2
    EXTRA=(--no-credit-control)
fi
if ! psql -d "$BASE" -Atc "select 1 from ir_module_module where name='$MODULE' and state='installed'" 2>/dev/null | grep -q 1; then
    dropdb --if-exists "$BASE"
    "$PYTHON" -m odoo --addons-path="$ADDONS" -d "$BASE" --db_replica_host="" -i "$MODULES" \
        --without-demo=all --stop-after-init --log-level=warn --http-port="${TEST_HTTP_PORT:-8274}" \
        --http-interface=127.0.0.1
else
    "$PYTHON" -m odoo --addons-path="$ADDONS" -d "$BASE" --db_replica_host="" -u "$MODULE" \
        --stop-after-init --log-level=warn --http-port="${TEST_HTTP_PORT:-8274}" --http-interface=127.0.0.1
fi
exec "$PYTHON" "$ROOT/scripts/benchmark.py" --addons-path="$ADDONS" "${EXTRA[@]}" "$@"
