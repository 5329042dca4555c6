# Sets Odoo 18 up in a virtual environment when no Python can import it
# (sourced by scripts/lib.sh; `bash scripts/setup_odoo.sh` runs it alone).
#
#   ODOO_VENV  the virtual environment (default: .venv beside the checkout, ignored by git)
#   ODOO_SRC   Odoo 18.0 community source: a folder, a tarball (.tar.gz, .tgz, .tar,
#              .zip) or a bare git directory; without it, the 18.0 branch is
#              downloaded from Odoo's official public source (ODOO_URL).
#
# What it installs: the system packages the pip step needs to build psycopg2 and
# python-ldap (Odoo's install docs: libpq, libldap, libsasl, build tools),
# PostgreSQL and wkhtmltopdf when missing (apt-get, with sudo when not root);
# Odoo's requirements.txt with three pins that Python 3.11 needs (setuptools<70
# for pkg_resources, cbor2 5.6 instead of 5.4.2, lxml_html_clean); Odoo's source
# under $ODOO_VENV/src/odoo, put on the venv's path by a .pth file. A second run
# finds the venv and does nothing.

ODOO_URL=${ODOO_URL:-https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}

_setup_say() { printf '[setup] %s\n' "$*" >&2; }

# Runs apt-get install for the packages not installed yet.
_setup_apt() {
    local missing=() pkg sudo=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        _setup_say "missing system packages: ${missing[*]} (no apt-get here: install them by hand)"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            _setup_say "missing system packages: ${missing[*]}; not root and no sudo: run 'sudo apt-get install ${missing[*]}'"
            return 1
        fi
    fi
    _setup_say "apt-get install ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { $sudo apt-get update -qq >/dev/null 2>&1 \
             && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } \
        || { _setup_say "apt-get install ${missing[*]} failed"; return 1; }
}

# The command that downloads Odoo's source (printed by `setup_odoo_download_cmd`
# so that a test can check it without reaching the network).
setup_odoo_download_cmd() { # target-file
    if command -v curl >/dev/null 2>&1; then
        echo "curl -fsSL --retry 2 -o $1 $ODOO_URL"
    else
        echo "wget -q -O $1 $ODOO_URL"
    fi
}

# Whether Odoo's source can be downloaded (a HEAD request, 10 s at most).
odoo_source_reachable() {
    command -v curl >/dev/null 2>&1 || return 1
    curl -fsIL --max-time 10 -o /dev/null "$ODOO_URL" 2>/dev/null
}

# Puts Odoo's source (the folder holding odoo/release.py) at $1.
_setup_unpack_source() { # dest
    local dest=$1 tmp src=${ODOO_SRC:-}
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/odoo-src.XXXXXX")
    if [ -z "$src" ]; then
        _setup_say "ODOO_SRC not set: downloading Odoo 18.0 from $ODOO_URL"
        # shellcheck disable=SC2046
        $(setup_odoo_download_cmd "$tmp/odoo.tar.gz") || { _setup_say "download failed (no network?): set ODOO_SRC"; rm -rf "$tmp"; return 1; }
        src="$tmp/odoo.tar.gz"
    fi
    mkdir -p "$tmp/x"
    if [ -d "$src" ] && [ -f "$src/HEAD" ] && [ -d "$src/objects" ]; then
        git --git-dir="$src" archive HEAD | tar -x -C "$tmp/x" || return 1
    elif [ -d "$src" ]; then
        tar -C "$src" --exclude=.git -cf - . | tar -x -C "$tmp/x" || return 1
    else
        case "$src" in
            *.zip) (cd "$tmp/x" && python3 -m zipfile -e "$src" .) || return 1 ;;
            *) tar -xf "$src" -C "$tmp/x" || return 1 ;;
        esac
    fi
    local release
    release=$(find "$tmp/x" -maxdepth 3 -path '*/odoo/release.py' | head -1)
    if [ -z "$release" ]; then _setup_say "no odoo/release.py in $src"; rm -rf "$tmp"; return 1; fi
    local top
    top=$(dirname "$(dirname "$release")")
    if ! grep -qE "^version_info = \(18, 0" "$release"; then
        _setup_say "$src is not Odoo 18.0 ($(grep -m1 '^version_info' "$release"))"; rm -rf "$tmp"; return 1
    fi
    rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$top" "$dest"
    # Only Odoo's own addons: a folder some snapshots carry with a third-party
    # module (odoo/custom_addons) is left out.
    rm -rf "$dest/odoo/custom_addons"
    rm -rf "$tmp"
}

# Odoo's requirements with the pins Python 3.11 needs.
setup_odoo_requirements() { # requirements.txt -> stdout
    sed -E -e 's/^cbor2==5\.4\.2 .*/cbor2==5.6.2 ; python_version < "3.12"/' "$1"
    echo "lxml_html_clean"
}

setup_odoo() {
    local root venv
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    venv=${ODOO_VENV:-$root/.venv}
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import odoo.release" 2>/dev/null; then
        PYTHON=$venv/bin/python
        return 0
    fi
    local t0=$SECONDS
    _setup_say "setting Odoo 18 up in $venv"
    _setup_apt build-essential python3-dev libpq-dev libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev \
        libjpeg-dev zlib1g-dev postgresql wkhtmltopdf || _setup_say "continuing without some system packages"
    local base_python=${ODOO_BASE_PYTHON:-python3}
    "$base_python" -m venv "$venv" || { _setup_say "python3 -m venv failed"; return 1; }
    _setup_unpack_source "$venv/src/odoo" || return 1
    local log=$venv/setup.log
    "$venv/bin/python" -m pip install -q "setuptools<70" wheel >>"$log" 2>&1 \
        || { tail -20 "$log" >&2; return 1; }
    setup_odoo_requirements "$venv/src/odoo/requirements.txt" >"$venv/requirements-odoo.txt"
    _setup_say "pip install Odoo's requirements (a few minutes)"
    "$venv/bin/python" -m pip install -q -r "$venv/requirements-odoo.txt" >>"$log" 2>&1 \
        || { tail -20 "$log" >&2; _setup_say "pip install of Odoo's requirements failed (log: $log)"; return 1; }
    # Test tools of the suite: freezegun (in the requirements), websocket-client for the tour.
    "$venv/bin/python" -m pip install -q websocket-client pytest hypothesis >>"$log" 2>&1 || true
    local site
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$venv/src/odoo" >"$site/odoo-src.pth"
    "$venv/bin/python" -c "import odoo.release" || { _setup_say "odoo still not importable"; return 1; }
    PYTHON=$venv/bin/python
    _setup_say "Odoo 18 ready in $venv ($((SECONDS - t0)) s)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    setup_odoo
fi
