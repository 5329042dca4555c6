# Shared helpers of scripts/test.sh and scripts/serve.sh (sourced, not run).
# They expect an installed Odoo 18 (importable `odoo`) and PostgreSQL.

MODULE=account_dunning_automation
# The Python that runs Odoo: ODOO_PYTHON; else, when ODOO_SRC is given, the venv
# set up from it (ODOO_VENV, default .venv beside the checkout: see setup_odoo.sh);
# else python3 when it imports odoo, else a venv set up earlier (.venv beside the
# checkout, ../venv, ../.venv, /work/venv).
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/setup_odoo.sh
. "$_here/scripts/setup_odoo.sh"
if [ -n "${ODOO_PYTHON:-}" ]; then
    PYTHON=$ODOO_PYTHON
elif [ -n "${ODOO_SRC:-}" ]; then
    PYTHON=${ODOO_VENV:-$_here/.venv}/bin/python
else
    PYTHON=python3
    if ! python3 -c "import odoo" 2>/dev/null; then
        for _candidate in "${ODOO_VENV:-$_here/.venv}/bin/python" "$_here/../venv/bin/python" \
                "$_here/../.venv/bin/python" /work/venv/bin/python; do
            if [ -x "$_candidate" ] && "$_candidate" -c "import odoo" 2>/dev/null; then
                PYTHON=$_candidate
                break
            fi
        done
    fi
fi

# Sets Odoo up (setup_odoo.sh) when it is not importable and ODOO_SRC is given or
# Odoo's source can be downloaded; returns 1 when Odoo stays unavailable.
ensure_odoo() {
    odoo_available && return 0
    [ -n "${ODOO_PYTHON:-}" ] && return 1
    if [ -z "${ODOO_SRC:-}" ] && ! odoo_source_reachable; then
        return 1
    fi
    setup_odoo && odoo_available
}

odoo_available() {
    [ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1 || return 1
    "$PYTHON" -c "import odoo.release, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)" 2>/dev/null
}

# Start the local PostgreSQL cluster (Debian's pg_ctlcluster) when it is not running.
start_postgres() {
    if pg_isready -q 2>/dev/null; then return 0; fi
    echo "PostgreSQL is not running: starting it"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
            || { $sudo apt-get update -qq >/dev/null 2>&1 && \
                 $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1; }
    fi
    local cluster
    cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then
        $sudo pg_createcluster 15 main >/dev/null && cluster="15 main"
    fi
    # shellcheck disable=SC2086
    $sudo pg_ctlcluster $cluster start 2>/dev/null || true
    for _ in $(seq 1 30); do pg_isready -q && return 0; sleep 1; done
    return 1
}

# Make sure the current OS user has a superuser role (peer authentication).
ensure_db_role() {
    local me
    me=$(id -un)
    if psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then return 0; fi
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -c "createuser --superuser $me" >/dev/null 2>&1
    else
        sudo -n -u postgres createuser --superuser "$me" >/dev/null 2>&1
    fi
    psql -d postgres -Atc 'select 1' >/dev/null 2>&1
}

# Addons path: a folder holding the module under its technical name, then Odoo's.
# $1: a work folder
odoo_addons_path() {
    local root=$1 work=$2
    mkdir -p "$work/addons"
    ln -sfn "$root" "$work/addons/$MODULE"
    local odoo_addons
    odoo_addons=$("$PYTHON" -c 'import os, odoo
base = os.path.dirname(odoo.__file__)
paths = [os.path.join(base, "addons"), os.path.join(os.path.dirname(base), "addons")]
print(",".join(p for p in paths if os.path.isdir(p)))')
    echo "$work/addons,$odoo_addons"
}
