"""The README's first command ends in `onevisit serve`: from a fresh data folder, the pages
come with their styles (WhiteNoise must see the files collected just before)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
        return response.status, response.read().decode("utf-8", "replace")


def test_it_serves_pages_with_their_styles_from_a_fresh_data_folder() -> None:
    env = {**os.environ, "ONEVISIT_DATA_DIR": tempfile.mkdtemp(prefix="onevisit-serve-")}
    env.pop("DATABASE_URL", None)
    run = [sys.executable, "-m", "onevisit"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [*run, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                status, page = _get(f"{base}/items/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("onevisit serve did not answer")
        assert status == 200
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheet is not None
        assert _get(base + stylesheet.group(1))[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_it_stops_the_demo_cleanly_on_sigterm() -> None:
    """The demo plans with HiGHS before it serves; its workers still exit without an abort."""
    env = {**os.environ, "ONEVISIT_DATA_DIR": tempfile.mkdtemp(prefix="onevisit-demo-")}
    env.pop("DATABASE_URL", None)
    port = _free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "onevisit", "demo", "--enterprises", "150", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The demo takes about 35 s alone; in CI it shares two cores with the cluster test.
        deadline = time.monotonic() + 420
        while True:
            try:
                assert _get(f"http://127.0.0.1:{port}/")[0] == 200
                break
            except OSError:
                if demo.poll() is not None or time.monotonic() > deadline:
                    demo.kill()
                    output, _ = demo.communicate(timeout=30)
                    pytest.fail(f"onevisit demo did not start serving:\n{output[-3000:]}")
                time.sleep(0.5)
        demo.send_signal(signal.SIGTERM)
        output, _ = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert f"Log in at http://127.0.0.1:{port}/accounts/login/" in output  # the port it serves
    assert "SIGABRT" not in output and "terminate called" not in output, output[-2000:]
    assert demo.returncode == 0
