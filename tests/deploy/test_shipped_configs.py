"""The shipped nginx and Tor files pass their own checkers (docs/deploy.md, the table).

Each test runs only where the checker is installed (a Debian host with `apt install nginx
tor`); CI has neither and skips them. The nginx file once failed `nginx -t` on Debian 12
(nginx 1.22 has no `http2 on;`).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl not installed",
)
def test_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=ombuds.example.org", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "ombuds.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/ombuds.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/ombuds.example.org/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/ombuds-error.log", str(tmp_path / "error.log"))
    (tmp_path / "ombuds.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{ access_log {tmp_path}/access.log; include {tmp_path}/ombuds.conf; }}\n"
    )
    result = subprocess.run(
        [
            *("nginx", "-t", "-e", str(tmp_path / "error.log")),
            *("-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.skipif(shutil.which("tor") is None, reason="tor not installed")
def test_torrc_passes_tor_verify_config(tmp_path: Path) -> None:
    torrc = (DEPLOY / "tor" / "torrc").read_text()
    torrc = torrc.replace("/var/lib/tor/ombuds/", f"{tmp_path}/hs/")
    (tmp_path / "torrc").write_text(f"DataDirectory {tmp_path}/data\n{torrc}")
    result = subprocess.run(
        ["tor", "--verify-config", "--defaults-torrc", "/dev/null", "-f", str(tmp_path / "torrc")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration was valid" in result.stdout
