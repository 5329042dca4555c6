"""Tests of scripts/setup_odoo.sh that do not reach the network.

The set-up of a fresh machine is shell: these tests source it in bash and check
the command it would run to download Odoo, the pins it gives pip, and how it
unpacks a source it is handed (ODOO_SRC), on small fake sources made here.
"""
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1]
SETUP = SCRIPTS / "setup_odoo.sh"


def bash(code, env=None, cwd=None):
    full_env = dict(os.environ)
    full_env.pop("ODOO_URL", None)
    full_env.update(env or {})
    return subprocess.run(
        ["bash", "-c", f". {SETUP}; {code}"],
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=60, check=False,
    )


def test_download_command_is_odoo_official_18_branch():
    out = bash("setup_odoo_download_cmd /tmp/odoo.tar.gz")
    assert out.returncode == 0, out.stderr
    cmd = out.stdout.split()
    # curl when present (Debian's default image has it), else wget, same URL.
    assert cmd[0] in ("curl", "wget")
    assert cmd[-1] == "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
    assert "/tmp/odoo.tar.gz" in cmd


def test_requirements_pins_for_python_311(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text(
        "cbor2==5.4.2 ; python_version < '3.12'\n"
        "cbor2==5.6.2 ; python_version >= '3.12'\n"
        "lxml==4.9.3 ; python_version > '3.10' and python_version < '3.12'\n"
    )
    out = bash(f"setup_odoo_requirements {req}")
    lines = out.stdout.splitlines()
    assert "cbor2==5.4.2" not in out.stdout
    assert lines[0].startswith("cbor2==5.6.2")
    assert lines[-1] == "lxml_html_clean"
    assert any(line.startswith("lxml==4.9.3") for line in lines)


def _fake_odoo_tarball(path, version="(18, 0, 0, FINAL, 0, '')", extra=()):
    with tarfile.open(path, "w:gz") as tar:
        files = {
            "odoo-18.0/odoo/release.py": f"version_info = {version}\n",
            "odoo-18.0/odoo/__init__.py": "",
            "odoo-18.0/requirements.txt": "polib==1.1.1\n",
            **{name: "" for name in extra},
        }
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_unpack_tarball_source(tmp_path):
    tarball = tmp_path / "odoo.tar.gz"
    _fake_odoo_tarball(tarball, extra=["odoo-18.0/odoo/custom_addons/foreign/__init__.py"])
    dest = tmp_path / "venv" / "src" / "odoo"
    out = bash(f"_setup_unpack_source {dest}", env={"ODOO_SRC": str(tarball)})
    assert out.returncode == 0, out.stderr
    assert (dest / "odoo" / "release.py").is_file()
    assert (dest / "requirements.txt").is_file()
    # A third-party module some snapshots carry is not Odoo's: left out.
    assert not (dest / "odoo" / "custom_addons").exists()


def test_unpack_folder_source(tmp_path):
    src = tmp_path / "src"
    (src / "odoo").mkdir(parents=True)
    (src / "odoo" / "release.py").write_text("version_info = (18, 0, 0, 'final', 0, '')\n")
    dest = tmp_path / "dest"
    out = bash(f"_setup_unpack_source {dest}", env={"ODOO_SRC": str(src)})
    assert out.returncode == 0, out.stderr
    assert (dest / "odoo" / "release.py").is_file()
    assert (src / "odoo" / "release.py").is_file(), "the given source is copied, not moved"


def test_unpack_refuses_another_version(tmp_path):
    tarball = tmp_path / "odoo17.tar.gz"
    _fake_odoo_tarball(tarball, version="(17, 0, 0, FINAL, 0, '')")
    out = bash(f"_setup_unpack_source {tmp_path / 'dest'}", env={"ODOO_SRC": str(tarball)})
    assert out.returncode != 0
    assert "not Odoo 18.0" in out.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/odoo.tar.gz"])
def test_unreachable_source_is_not_set_up(url, tmp_path):
    # Without ODOO_SRC and without network, nothing is installed: the test
    # command then says that the Odoo suite was skipped.
    out = bash(
        "odoo_source_reachable && echo reachable || echo unreachable",
        env={"ODOO_URL": url},
    )
    assert out.stdout.strip() == "unreachable"
