"""Servers of a test's own: a Postgres schema and a RabbitMQ vhost, so tests
running side by side never see each other's rows or messages."""
import os
import socket
import subprocess
import threading
import urllib.parse
import uuid

import psycopg
import pymongo

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def servers(*args):
    return subprocess.run(["bash", os.path.join(ROOT, "scripts", "servers.sh"), *args],
                          check=True, capture_output=True, text=True).stdout.strip()


class Isolated:
    def __init__(self, server_env):
        self.name = "t" + uuid.uuid4().hex[:10]
        self.base_pg = server_env["WORKSTREAM_POSTGRES_URL"]
        with psycopg.connect(self.base_pg, autocommit=True) as db:
            db.execute("CREATE SCHEMA %s" % self.name)
        sep = "&" if "?" in self.base_pg else "?"
        self.postgres_url = self.base_pg + sep + "options=-csearch_path%3D" + self.name
        self.rabbitmq_url = servers("vhost", self.name)
        mongo = urllib.parse.urlparse(server_env["WORKSTREAM_MONGO_URL"])
        self.mongo_url = "mongodb://%s/%s" % (mongo.netloc, self.name)

    def env(self):
        return {"WORKSTREAM_POSTGRES_URL": self.postgres_url,
                "WORKSTREAM_RABBITMQ_URL": self.rabbitmq_url,
                "WORKSTREAM_MONGO_URL": self.mongo_url}

    def sql(self, query, *args):
        with psycopg.connect(self.postgres_url, autocommit=True) as db:
            return db.execute(query, args).fetchall()

    def close(self):
        with psycopg.connect(self.base_pg, autocommit=True) as db:
            db.execute("DROP SCHEMA %s CASCADE" % self.name)
        servers("drop-vhost", self.name)
        with pymongo.MongoClient(self.mongo_url, serverSelectionTimeoutMS=3000) as client:
            client.drop_database(self.name)


class TcpProxy:
    """Forwards a local port to a server; down() cuts every connection and refuses new ones."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.lock = threading.Lock()
        self.sockets = []
        self.listener = None
        self.up()

    def up(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
