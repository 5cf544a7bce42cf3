"""Helpers for black-box tests of the REST API."""
import socket
import threading

import requests

TASKS = "/api/v1/tasks"
JSON = {"Content-Type": "application/json"}


class Api:
    def __init__(self, http_addr):
        self.base = "http://" + http_addr
        self.session = requests.Session()

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.base + path, **kwargs)

    def create(self, body=None, headers=None, **kwargs):
        return self.request("POST", TASKS, json=body if body is not None else {"title": "a task"},
                            headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code, body
    assert error["message"]
    assert isinstance(error["details"], dict)
    assert error["request_id"] == response.headers["X-Request-Id"]
    if field is not None:
        assert error["details"].get("field") == field, body
    return error


def raw_exchange(host, port, payload, timeout=5):
    """Sends raw bytes, returns whatever comes back until the server closes or goes quiet."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(payload)
        except OSError:
            pass
        chunks = []
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


class BlackHole:
    """A TCP listener that accepts connections and never says anything."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                return

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()
