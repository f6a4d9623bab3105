"""The few HTTP exchanges the drivers make, with http.client: JSON calls, and streams that follow redirects."""

import http.client
import json
import socket
import ssl
from urllib.parse import urlsplit

JSON = "application/json"


class Endpoint:
    """A master or agent: scheme, host and port; for https, the CA file its certificate is checked against (None:
    the system's)."""

    def __init__(self, url, cafile=None):
        self.cafile = cafile
        if "://" not in url:
            url = "http://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not a master address: %r (host:port or http://host:port)" % url)
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)

    def connection(self, timeout):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                               context=ssl.create_default_context(cafile=self.cafile))
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def redirected(self, location):
        """The endpoint a 307's Location (``//host:port/path`` or a full URL) points at."""
        if location.startswith("//"):
            location = self.scheme + ":" + location
        return Endpoint(location, self.cafile)

    def __str__(self):
        return "%s://%s:%d" % (self.scheme, self.host, self.port)


def headers(extra=None, authorization=None):
    h = {"Content-Type": JSON, "Accept": JSON}
    if authorization:
        h["Authorization"] = authorization
    if extra:
        h.update(extra)
    return h


def post(endpoint, path, body, extra_headers=None, timeout=30.0, authorization=None):
    """One call; returns (status, headers, body bytes). Follows up to five redirects."""
    for _ in range(6):
        conn = endpoint.connection(timeout)
        try:
            conn.request("POST", path, json.dumps(body).encode("utf-8"), headers(extra_headers, authorization))
            resp = conn.getresponse()
            data = resp.read()
            if resp.status == 307 and resp.getheader("Location"):
                endpoint = endpoint.redirected(resp.getheader("Location"))
                continue
            return resp.status, dict(resp.getheaders()), data
        finally:
            conn.close()
    raise OSError("too many redirects")


def open_stream(endpoint, path, body, timeout, authorization=None):
    """A subscription: returns (endpoint that answered, connection, response) with status 200, or raises."""
    for _ in range(6):
        conn = endpoint.connection(timeout)
        conn.request("POST", path, json.dumps(body).encode("utf-8"), headers(None, authorization))
        resp = conn.getresponse()
        if resp.status == 307 and resp.getheader("Location"):
            resp.read()
            conn.close()
            endpoint = endpoint.redirected(resp.getheader("Location"))
            continue
        if resp.status != 200:
            message = resp.read().decode("utf-8", "replace")
            conn.close()
            raise StreamRefused(resp.status, message)
        return endpoint, conn, resp
    raise OSError("too many redirects")


def abort(conn):
    """Ends a stream at once, from another thread: its reader sees the end of the stream."""
    if conn is None:
        return
    try:
        conn.sock and conn.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()


class StreamRefused(Exception):
    """The master or agent answered a subscription with an error status."""

    def __init__(self, status, message):
        super().__init__("%d %s" % (status, message))
        self.status = status
        self.message = message
