"""mitmproxy addon for bench/mockcloud/run.sh: answer every intercepted
request itself, as mockcloud's intercepting proxy does (it plays the
origin and never opens an upstream connection). Use with
--set connection_strategy=lazy so mitmproxy does not dial upstream
before the request arrives: both proxies then do the same work per
connection (CONNECT, one TLS handshake as the server, one answer)."""
from mitmproxy import http


def request(flow: http.HTTPFlow) -> None:
    flow.response = http.Response.make(200, b"OK", {"Content-Type": "text/plain; charset=utf-8"})
