#!/usr/bin/env bash
# Runs the module: creates the demo database (module installed WITH demo data)
# if it does not exist yet, then serves Odoo on http://127.0.0.1:8069
# (login admin / password admin). Without an importable Odoo 18, sets it up first
# in .venv beside the checkout (scripts/setup_odoo.sh: from ODOO_SRC, a folder or a
# tarball of Odoo 18.0's source, else downloaded from Odoo's official source), with
# PostgreSQL and wkhtmltopdf from the system's packages when missing.
#   DB=name (default dunning_demo), PORT=8069, RESET=1 to recreate the database.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
DB=${DB:-dunning_demo}
PORT=${PORT:-8069}
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}

if ! ensure_odoo; then
    echo "Odoo 18 is not importable by '$PYTHON' and could not be set up: set ODOO_SRC to Odoo 18's source (a folder or a tarball), or ODOO_PYTHON to a Python that imports odoo." >&2
    exit 1
fi
start_postgres || { echo "PostgreSQL could not be started" >&2; exit 1; }
ensure_db_role || { echo "No PostgreSQL role for $(id -un)" >&2; exit 1; }
ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
COMMON=(--addons-path="$ADDONS" -d "$DB" --db-filter="^${DB}\$" --db_replica_host=""
        --http-interface=127.0.0.1 --http-port="$PORT")

if [ -n "${RESET:-}" ]; then dropdb --if-exists "$DB"; fi
if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='$MODULE' and state='installed'" 2>/dev/null | grep -q 1; then
    echo "Creating database $DB with demo data ..."
    "$PYTHON" -m odoo "${COMMON[@]}" -i "$MODULE" --stop-after-init
else
    "$PYTHON" -m odoo "${COMMON[@]}" -u "$MODULE" --stop-after-init
fi
echo "Serving Odoo on http://127.0.0.1:$PORT (database $DB, login admin / admin)"
exec "$PYTHON" -m odoo "${COMMON[@]}"
