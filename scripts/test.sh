#!/usr/bin/env bash
# Runs every test of account_dunning_automation.
#
#  1. the pure-Python engine tests (pytest), on any machine;
#  2. static checks: Python syntax, XML well-formedness, manifest, one model one
#     file, no module-level mutable state, ruff, pylint-odoo (.pre-commit-config.yaml);
#  3. when Odoo 18 is importable (ODOO_PYTHON, python3, or the venv that
#     scripts/setup_odoo.sh sets up from ODOO_SRC or Odoo's official source): the packaging
#     check (`pip wheel .` builds odoo-addon-account_dunning_automation with whool,
#     installed in a throwaway folder Odoo finds the module there with only its own
#     addons folders as addons path), the Odoo suite (--test-tags
#     /account_dunning_automation) on a fresh database without demo data, then a
#     second fresh install WITH demo data, from the wheel, that must log no warning.
#     PostgreSQL is started if it is not running.
#
# Ends with one line "total: N passed, N failed" and a non-zero exit on failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
# Without an importable Odoo, set it up (scripts/setup_odoo.sh) from ODOO_SRC or,
# when the network allows it, from Odoo's official source.
ensure_odoo || true
WORK=$(mktemp -d "${TMPDIR:-/tmp}/${MODULE}.XXXXXX")
PASSED=0
FAILED=0
STATUS=0

say() { printf '\n=== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*"; STATUS=1; }

pip_ensure() { # module-name pip-spec
    "$PYTHON" -c "import $1" 2>/dev/null && return 0
    echo "installing $2 (test tool) ..."
    "$PYTHON" -m pip install -q "$2" >/dev/null 2>&1 || "$PYTHON" -m pip install -q --user "$2" >/dev/null 2>&1
    "$PYTHON" -c "import $1" 2>/dev/null
}

# ---------------------------------------------------------------- engine tests
say "Engine tests and set-up tests (pure Python, no Odoo)"
if pip_ensure pytest pytest && pip_ensure hypothesis hypothesis; then
    # One pytest per folder: each folder's pytest.ini makes it the rootdir (the
    # repository root is an Odoo module whose __init__.py imports odoo).
    rc=0
    for tests in dunning_engine/tests scripts/tests; do
        (cd "$ROOT" && PYTHONPATH="$ROOT" "$PYTHON" -m pytest -q -p no:cacheprovider \
            "$tests" 2>&1) | tee -a "$WORK/pytest.log"
        [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
    done
    p=$(grep -Eo '[0-9]+ passed' "$WORK/pytest.log" | awk '{s += $1} END {print s + 0}')
    f=$(grep -Eo '[0-9]+ (failed|errors?)' "$WORK/pytest.log" | awk '{s += $1} END {print s + 0}')
    PASSED=$((PASSED + ${p:-0})); FAILED=$((FAILED + ${f:-0}))
    if [ "$rc" -ne 0 ] || [ "${p:-0}" -eq 0 ]; then fail "engine tests (pytest exit $rc)"; fi
else
    fail "pytest could not be installed"
fi

# ---------------------------------------------------------------- static checks
say "Static checks"
if "$PYTHON" "$ROOT/scripts/static_checks.py" "$ROOT"; then
    PASSED=$((PASSED + 1))
else
    FAILED=$((FAILED + 1)); fail "static checks"
fi
# The module's page in Apps is generated from the readme/ fragments.
if "$PYTHON" "$ROOT/scripts/gen_description.py" "$ROOT" --check; then
    PASSED=$((PASSED + 1))
else
    FAILED=$((FAILED + 1)); fail "static/description/index.html out of date"
fi
# ruff with OCA's configuration (ruff.toml), as the pre-commit hook runs it.
if pip_ensure ruff ruff; then
    if (cd "$ROOT" && "$PYTHON" -m ruff check --no-fix --output-format concise . 2>&1); then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1)); fail "ruff"
    fi
else
    echo "ruff could not be installed: ruff check skipped"
fi
# pylint-odoo at its current release (10.x), the project's configuration, on a
# copy of the module outside the checkout (see scripts/run_pylint.py: in the
# checkout pylint-odoo never finds the manifest and skips its per-addon checks).
pylint_odoo_10() {
    "$PYTHON" -c 'import importlib.metadata as m, sys
sys.exit(int(m.version("pylint-odoo").split(".")[0]) < 10)' 2>/dev/null
}
if ! pylint_odoo_10; then
    echo "installing pylint-odoo>=10.0.12 (test tool) ..."
    "$PYTHON" -m pip install -q -U "pylint-odoo>=10.0.12" >/dev/null 2>&1
fi
if pylint_odoo_10; then
    if "$PYTHON" "$ROOT/scripts/run_pylint.py" "$ROOT" >"$WORK/pylint.log" 2>&1; then
        echo "pylint-odoo: no message"
        PASSED=$((PASSED + 1))
    else
        grep -v '^\*\*\*' "$WORK/pylint.log" | head -60
        FAILED=$((FAILED + 1)); fail "pylint-odoo"
    fi
else
    echo "pylint-odoo could not be installed: pylint check skipped"
fi

# ---------------------------------------------------------------- packaging
# The wheel, as users install OCA addons: built by `pip wheel .` (whool), installed
# with `pip install --target` into a throwaway folder put on PYTHONPATH, found by
# Odoo through the odoo.addons namespace. The install with demo data below uses it.
WHEEL_SITE=""
odoo_own_addons() {
    "$PYTHON" -c 'import os, odoo
base = os.path.dirname(odoo.__file__)
paths = [os.path.join(base, "addons"), os.path.join(os.path.dirname(base), "addons")]
print(",".join(p for p in paths if os.path.isdir(p)))'
}
if odoo_available; then
    say "Packaging: pip wheel . (whool), install of the wheel"
    mkdir -p "$WORK/dist"
    if ! (cd "$ROOT" && "$PYTHON" -m pip wheel -q --no-deps -w "$WORK/dist" . >"$WORK/wheel.log" 2>&1); then
        # No package index (offline): build with whool installed beside the test tools.
        if pip_ensure whool whool; then
            (cd "$ROOT" && "$PYTHON" -m pip wheel -q --no-deps --no-build-isolation \
                -w "$WORK/dist" . >>"$WORK/wheel.log" 2>&1)
        else
            echo "SKIPPED: the build backend whool could not be installed (no package index?)"
        fi
    fi
    wheel=$(ls "$WORK"/dist/odoo_addon_${MODULE}-18.0.*-py3-none-any.whl 2>/dev/null | head -1)
    if [ -n "$wheel" ]; then
        echo "built $(basename "$wheel")"
        if "$PYTHON" -m pip install -q --no-deps --target "$WORK/wheel-site" "$wheel" >>"$WORK/wheel.log" 2>&1 \
            && (cd "$WORK" && PYTHONPATH="$WORK/wheel-site" "$PYTHON" "$ROOT/scripts/check_wheel_install.py" \
                "$WORK/wheel-site" "$(odoo_own_addons)"); then
            PASSED=$((PASSED + 1))
            WHEEL_SITE="$WORK/wheel-site"
        else
            tail -20 "$WORK/wheel.log"
            FAILED=$((FAILED + 1)); fail "install of the wheel"
        fi
    elif pip_ensure whool whool; then
        tail -20 "$WORK/wheel.log"
        FAILED=$((FAILED + 1)); fail "pip wheel . did not build odoo_addon_${MODULE}-18.0.*.whl"
    fi
fi

# ---------------------------------------------------------------- Odoo suite
run_odoo() { # db log extra-args...
    local db=$1 log=$2; shift 2
    "$PYTHON" -m odoo --addons-path="$ADDONS" -d "$db" \
        --db_replica_host="" --db-filter="^${db}\$" \
        --http-interface=127.0.0.1 --http-port="${TEST_HTTP_PORT:-8169}" --max-cron-threads=0 \
        --stop-after-init --log-level=info "$@" >"$log" 2>&1
}

if odoo_available; then
    say "Odoo suite ($("$PYTHON" -c 'import odoo.release; print(odoo.release.version)'))"
    # The web client tour (tests/test_dunning_send_tour.py) drives headless
    # Chromium through websocket-client; without it Odoo skips the tour.
    pip_ensure websocket websocket-client || echo "websocket-client could not be installed: the tour is skipped"
    if ! start_postgres || ! ensure_db_role; then
        fail "PostgreSQL could not be started or reached"
    else
        ADDONS=$(odoo_addons_path "$ROOT" "$WORK")
        DB_TEST="${MODULE}_test_$$"
        DB_DEMO="${MODULE}_demo_$$"
        dropdb --if-exists "$DB_TEST" >/dev/null 2>&1
        dropdb --if-exists "$DB_DEMO" >/dev/null 2>&1

        echo "--- install without demo data + tests ($DB_TEST)"
        # sale and purchase beside the module: the tests open invoices, bills
        # and customers as Odoo's real salesmen and purchase users.
        run_odoo "$DB_TEST" "$WORK/odoo-test.log" -i "$MODULE,sale,purchase" --without-demo=all \
            --test-enable --test-tags "/$MODULE"
        rc=$?
        grep -E "(ERROR|CRITICAL|WARNING|FAIL:|odoo.tests.stats|odoo.tests.result|Ran [0-9]+ test)" "$WORK/odoo-test.log" \
            | grep -v "odoo.tests.stats.*[0-9] queries" | tail -80
        result=$(grep -E "odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$WORK/odoo-test.log" | tail -1)
        if [ -z "$result" ]; then
            tail -40 "$WORK/odoo-test.log"
            FAILED=$((FAILED + 1)); fail "the Odoo suite did not report a result (exit $rc)"
        else
            nf=$(sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error.* of ([0-9]+) tests.*/\1 \2 \3/' <<<"$result")
            read -r tf te tt <<<"$nf"
            PASSED=$((PASSED + tt - tf - te)); FAILED=$((FAILED + tf + te))
            echo "odoo: $((tt - tf - te)) passed, $((tf + te)) failed (of $tt)"
            if [ "$tt" -eq 0 ]; then fail "the Odoo suite ran no test"; fi
            if [ "$tf" -ne 0 ] || [ "$te" -ne 0 ] || [ "$rc" -ne 0 ]; then fail "Odoo suite"; fi
        fi
        if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/odoo-test.log" | grep -v "odoo.tests" >/dev/null; then
            FAILED=$((FAILED + 1)); fail "warnings or errors while installing without demo data"
        fi

        if [ -n "$WHEEL_SITE" ]; then
            # From the installed wheel: only Odoo's own folders as addons path.
            echo "--- install with demo data ($DB_DEMO), from the wheel"
            ADDONS=$(odoo_own_addons) PYTHONPATH="$WHEEL_SITE${PYTHONPATH:+:$PYTHONPATH}" \
                run_odoo "$DB_DEMO" "$WORK/odoo-demo.log" -i "$MODULE"
        else
            echo "--- install with demo data ($DB_DEMO)"
            run_odoo "$DB_DEMO" "$WORK/odoo-demo.log" -i "$MODULE"
        fi
        rc=$?
        if [ "$rc" -ne 0 ] || grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/odoo-demo.log"; then
            tail -20 "$WORK/odoo-demo.log"
            FAILED=$((FAILED + 1)); fail "install with demo data (exit $rc, or warnings above)"
        else
            reminders=$(psql -d "$DB_DEMO" -Atc "select count(*) from account_dunning_reminder" 2>/dev/null)
            echo "demo install: no warning; demo reminders created: ${reminders:-?}"
            PASSED=$((PASSED + 1))
        fi
        if [ -z "${KEEP_DB:-}" ]; then
            dropdb --if-exists "$DB_TEST" >/dev/null 2>&1
            dropdb --if-exists "$DB_DEMO" >/dev/null 2>&1
        fi
    fi
else
    say "Packaging check and Odoo suite SKIPPED: Odoo 18 is not importable by '$PYTHON' and could not be set up (set ODOO_SRC to Odoo 18's source, a folder or a tarball, or ODOO_PYTHON to a Python that imports odoo). Only the engine tests and static checks ran."
fi

[ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $WORK" || rm -rf "$WORK"
echo
echo "total: $PASSED passed, $FAILED failed"
if [ "$STATUS" -ne 0 ] || [ "$FAILED" -ne 0 ]; then exit 1; fi
exit 0
