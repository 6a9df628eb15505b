"""`aidtrace serve --workers 2`: several read-only server processes on one port answer
exactly what one process answers, and a writable server refuses to be more than one."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer, free_port
from aidtrace.config import Settings

from .api_data import build_db

AIDTRACE = str(Path(sys.executable).with_name("aidtrace"))  # the installed console script
# what the dashboard and scripts ask, with filters, pages and sorts
REQUESTS = [
    ("/api/events", {}), ("/api/events", {"type": "AID", "sort": "published", "order": "desc"}),
    ("/api/events", {"item_class": "masks", "page": "2", "size": "1"}), ("/api/events", {"q": "masks"}),
    ("/api/events/ev-aid-ita", {}), ("/api/timeline", {}), ("/api/timeline", {"source": "CHN"}),
    ("/api/flows", {}), ("/api/flows", {"source": "CHN", "sort": "quantity"}), ("/api/flows/pairs", {}),
    ("/api/stories", {}), ("/api/stories", {"type": "AID", "page": "1", "size": "2"}),
    ("/api/actors", {"role": "source"}), ("/api/articles/art-1", {}), ("/api/stats", {}),
    ("/api/events.csv", {"type": "AID"}), ("/api/flows.json", {}), ("/api/events", {"nope": "1"}),
    ("/api/events/missing", {}),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("workers") / "api.duckdb")


def answers(url: str) -> list[tuple[int, str, bytes]]:
    # a new connection per request, so that the requests spread over the processes
    with httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        return [(r.status_code, r.headers["content-type"], r.content)
                for r in (client.get(path, params=params) for path, params in REQUESTS * 3)]


def wait_until_up(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/api/stats", timeout=5).raise_for_status()
            return
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


def test_two_processes_answer_what_one_answers(db_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AIDTRACE_TOKEN"}
    proc = subprocess.Popen([AIDTRACE, "serve", "--db", str(db_path), "--port", str(port), "--workers", "2"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, proc)
        # the processes that hold the file open (beside them: multiprocessing's resource
        # tracker); the first answer may come before the second process has opened it
        deadline = time.monotonic() + 60
        while True:
            workers = [p for p in psutil.Process(proc.pid).children()
                       if any(f.path == str(db_path) for f in p.open_files())]
            if len(workers) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(workers) == 2
        many = answers(url)
        # connections opened together spread over both processes (a socket each, SO_REUSEPORT),
        # instead of all going to whichever woke first; 40 on one process: odds 2 ** -39
        together = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        try:
            for sock in together:
                sock.sendall(f"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            for sock in together:
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            held = [sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in w.net_connections())
                    for w in workers]
            assert sum(held) == 40 and min(held) > 0, held
        finally:
            for sock in together:
                sock.close()
        # and the port is still the server's alone: another server on it fails to start
        other = subprocess.run([AIDTRACE, "serve", "--db", str(db_path), "--port", str(port), "--workers", "2"],
                               env=env, capture_output=True, text=True, timeout=60)
        assert other.returncode == 1, other.stderr[-500:]
        assert f"error: [A060] cannot listen on 127.0.0.1:{port}: Address already in use" in other.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "2 processes" in err
    assert not any(w.is_running() for w in workers)

    database = Database(str(db_path), Settings(db=str(db_path)))
    try:
        with BackgroundServer(create_app(database)) as one:
            assert many == answers(one.url)
    finally:
        database.close()
    assert {status for status, _, _ in many} == {200, 404, 422}


def test_a_writable_server_is_one_process(db_path):
    env = {**os.environ, "AIDTRACE_TOKEN": "secret"}
    result = subprocess.run([AIDTRACE, "serve", "--db", str(db_path), "--port", str(free_port()), "--workers", "2"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "single writer" in result.stderr and "--workers" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_is_one_clear_error_and_the_store_untouched(db_path, tmp_path, workers):
    env = {k: v for k, v in os.environ.items() if k != "AIDTRACE_TOKEN"}
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db_path.read_bytes())
    before = copy.read_bytes()
    with socket.create_server(("127.0.0.1", 0)) as holder:  # another program on the port
        port = holder.getsockname()[1]
        result = subprocess.run([AIDTRACE, "serve", "--db", str(copy), "--port", str(port), "--workers", workers],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: [A060] cannot listen on 127.0.0.1:{port}: Address already in use"
    assert copy.read_bytes() == before and not copy.with_suffix(".duckdb.wal").exists()
    # an address that is not this machine's (TEST-NET-1: nothing is sent anywhere)
    result = subprocess.run([AIDTRACE, "serve", "--db", str(copy), "--host", "192.0.2.1", "--port", str(port),
                             "--workers", workers], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: [A060] cannot listen on 192.0.2.1:{port}: Cannot assign requested address"
