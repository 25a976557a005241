#!/usr/bin/env python3
"""testsrv.py - loopback HTTPS/HTTP servers and proxies for the probe's tests.

A stand-in for the mock cloud that the probe's own tests control fully:
    testsrv.py --mkcerts PATH --dir DIR --config FILE [--hosts HOST...]
Binds 127.0.0.1 port 0 for everything and prints one JSON line:
    {"https": P, "http": P, "refuse": P, "silent": P, "proxies": {"NAME": P}}
Config: {"hosts": {"HOST": {"fault": F, "status": N, "ms": N}},
         "proxies": [{"name": N, "mode": M, "deny": [HOST...]}]}
Faults (by TLS SNI or HTTP Host): ok (default, status 200 or "status"),
delay (ms, before the handshake), silent, reset (RST before the handshake),
reset-after (RST after the request), close (FIN after the handshake),
tls-fail (fatal alert), wrong-name, expired, intercept, status.
Proxy modes: allow, deny (403 block page; "deny" list or all), auth-basic,
auth-ntlm (407), fail (502), silent, intercept (re-signs with the
inspection CA). Only ever listens on and connects to 127.0.0.1.
"""
import argparse
import json
import os
import select
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

LO = '127.0.0.1'


def rst_close(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    except OSError:
        pass
    sock.close()


def sni_of(hello):
    """Server name from a TLS ClientHello record, or ''."""
    try:
        if len(hello) < 5 or hello[0] != 0x16:
            return ''
        p = 5 + 4 + 2 + 32
        p += 1 + hello[p]
        p += 2 + struct.unpack('>H', hello[p:p + 2])[0]
        p += 1 + hello[p]
        end = p + 2 + struct.unpack('>H', hello[p:p + 2])[0]
        p += 2
        while p + 4 <= end:
            typ, ln = struct.unpack('>HH', hello[p:p + 4])
            p += 4
            if typ == 0:
                n = struct.unpack('>H', hello[p + 3:p + 5])[0]
                return hello[p + 5:p + 5 + n].decode('ascii', 'replace')
            p += ln
    except (IndexError, struct.error):
        pass
    return ''


def peek_hello(conn):
    conn.settimeout(10)
    data = b''
    for _ in range(200):
        data = conn.recv(16384, socket.MSG_PEEK)
        if not data:
            return b''
        if len(data) >= 5:
            need = 5 + struct.unpack('>H', data[3:5])[0]
            if len(data) >= need:
                return data
        time.sleep(0.005)
    return data


def read_head(conn, limit=16384):
    data = b''
    while b'\r\n\r\n' not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def wait_closed(conn):
    try:
        conn.settimeout(60)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


class Server:
    def __init__(self, args, config):
        self.config = config
        self.hosts = config.get('hosts', {})
        d = args.dir
        self.ctx = {}
        for name in ('leaf', 'expired', 'wrong', 'inspect'):
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            c.load_cert_chain(os.path.join(d, name + '.pem'), os.path.join(d, 'leaf.key'))
            self.ctx[name] = c
        self.socks = []

    def behaviour(self, host):
        host = (host or '').lower()
        if host in self.hosts:
            return self.hosts[host]
        for pat, b in self.hosts.items():
            if pat.startswith('*.') and host.endswith(pat[1:]):
                return b
        return self.hosts.get('*', {'fault': 'ok'})

    def listen(self, handler, backlog=128):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LO, 0))
        s.listen(backlog)
        self.socks.append(s)

        def loop():
            while True:
                try:
                    c, _ = s.accept()
                except OSError:
                    return
                threading.Thread(target=self.guard, args=(handler, c), daemon=True).start()
        threading.Thread(target=loop, daemon=True).start()
        return s.getsockname()[1]

    @staticmethod
    def guard(handler, conn):
        try:
            handler(conn)
        except (OSError, ssl.SSLError, ValueError):
            try:
                conn.close()
            except OSError:
                pass

    def answer(self, conn, b):
        status = int(b.get('status', 200))
        conn.sendall(b'HTTP/1.1 %d Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
                     % status)

    def tls_serve(self, conn, b, ctxname=None):
        fault = b.get('fault', 'ok')
        name = ctxname or {'wrong-name': 'wrong', 'expired': 'expired',
                           'intercept': 'inspect'}.get(fault, 'leaf')
        t = self.ctx[name].wrap_socket(conn, server_side=True)
        if fault == 'close' and not ctxname:
            t.close()
            return
        read_head(t)
        if fault == 'reset-after' and not ctxname:
            rst_close(conn)
            return
        self.answer(t, b if not ctxname else {'status': 200})
        t.close()

    def https(self, conn):
        hello = peek_hello(conn)
        b = self.behaviour(sni_of(hello))
        fault = b.get('fault', 'ok')
        if fault == 'delay':
            time.sleep(b.get('ms', 100) / 1000.0)
        if fault == 'silent':
            return wait_closed(conn)
        if fault == 'reset':
            return rst_close(conn)
        if fault == 'tls-fail':
            conn.sendall(bytes([0x15, 3, 3, 0, 2, 2, 40]))
            conn.close()
            return
        self.tls_serve(conn, b)

    def http(self, conn):
        head = read_head(conn)
        host = ''
        for line in head.split(b'\r\n')[1:]:
            if line.lower().startswith(b'host:'):
                host = line[5:].strip().decode('ascii', 'replace').split(':')[0]
        b = self.behaviour(host)
        fault = b.get('fault', 'ok')
        if fault == 'delay':
            time.sleep(b.get('ms', 100) / 1000.0)
        if fault == 'silent':
            return wait_closed(conn)
        if fault in ('reset', 'reset-after'):
            return rst_close(conn)
        self.answer(conn, b)
        conn.close()

    def proxy(self, conf):
        mode = conf.get('mode', 'allow')
        deny = [h.lower() for h in conf.get('deny', [])]

        def handle(conn):
            head = read_head(conn)
            if not head:
                return conn.close()
            line = head.split(b'\r\n')[0].decode('ascii', 'replace')
            parts = line.split(' ')
            method, target = parts[0], parts[1] if len(parts) > 1 else ''
            if method == 'CONNECT':
                host = target.rsplit(':', 1)[0].lower()
            else:
                host = target.split('://', 1)[-1].split('/')[0].split(':')[0].lower()
            if mode == 'silent':
                return wait_closed(conn)
            if mode == 'deny' and (not deny or host in deny):
                body = (b'<html><head><title>Access Denied - Contoso Web Gateway'
                        b'</title></head><body>blocked</body></html>')
                conn.sendall(b'HTTP/1.1 403 Forbidden\r\nVia: 1.1 contoso-gw\r\n'
                             b'Content-Type: text/html\r\nContent-Length: %d\r\n\r\n' % len(body)
                             + body)
                return conn.close()
            if mode == 'auth-basic':
                conn.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n'
                             b'Proxy-Authenticate: Basic realm="Contoso"\r\n'
                             b'Content-Length: 0\r\n\r\n')
                return conn.close()
            if mode == 'auth-ntlm':
                conn.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n'
                             b'Proxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\n'
                             b'Content-Length: 0\r\n\r\n')
                return conn.close()
            if mode == 'fail':
                conn.sendall(b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
                return conn.close()
            b = self.behaviour(host)
            if method != 'CONNECT':
                if b.get('fault') == 'refuse':
                    conn.sendall(b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
                    return conn.close()
                self.answer(conn, b)
                return conn.close()
            if b.get('fault') == 'refuse':
                conn.sendall(b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
                return conn.close()
            conn.sendall(b'HTTP/1.1 200 Connection established\r\nVia: 1.1 contoso-gw\r\n\r\n')
            if mode == 'intercept':
                return self.tls_serve(conn, b, 'inspect')
            up = socket.create_connection((LO, self.ports['https']))
            socks = [conn, up]
            while True:
                r, _, _ = select.select(socks, [], [], 30)
                if not r:
                    break
                done = False
                for s in r:
                    data = s.recv(16384)
                    if not data:
                        done = True
                        break
                    (up if s is conn else conn).sendall(data)
                if done:
                    break
            up.close()
            conn.close()
        return handle

    def start(self):
        self.ports = {'https': self.listen(self.https), 'http': self.listen(self.http)}
        r = socket.socket()
        r.bind((LO, 0))  # bound, never listening: connections are refused
        self.socks.append(r)
        self.ports['refuse'] = r.getsockname()[1]
        s = socket.socket()
        s.bind((LO, 0))
        s.listen(1)  # never accepted: handshakes hang
        self.socks.append(s)
        self.ports['silent'] = s.getsockname()[1]
        self.ports['proxies'] = {}
        for p in self.config.get('proxies', []):
            self.ports['proxies'][p['name']] = self.listen(self.proxy(p))
        return self.ports


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mkcerts', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--config', required=True)
    ap.add_argument('--hosts', nargs='*', default=[])
    ap.add_argument('--destinations')
    a = ap.parse_args()
    if a.destinations:
        with open(a.destinations) as f:
            dest = json.load(f)
        for row in dest['destinations']:
            a.hosts.extend(row.get('host_by_geo', {}).values())
            if '{' not in row['host']:
                a.hosts.append(row['host'])
                continue
            for geo, info in dest['geos'].items():
                for dc in info['datacenters']:
                    a.hosts.append(row['host'].replace('{geo}', geo.lower()).replace('{dc}', dc))
    with open(a.config) as f:
        config = json.load(f)
    hosts = sorted(set(a.hosts) | {h for h in config.get('hosts', {}) if '*' not in h})
    if not os.path.exists(os.path.join(a.dir, 'leaf.pem')):
        subprocess.run([a.mkcerts, a.dir] + hosts, check=True)
    srv = Server(a, config)
    ports = srv.start()
    sys.stdout.write(json.dumps(ports) + '\n')
    sys.stdout.flush()
    try:
        while sys.stdin.read(1):
            pass
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
