#!/usr/bin/env python3
# HTTP scrape latency of N info_hashes on a Redis-store tracker: keep-alive connection, R scrapes, median/p99 in ms
import socket, sys, time, statistics
port=int(sys.argv[1]); n=int(sys.argv[2]); rounds=int(sys.argv[3])
q='&'.join('info_hash=' + ''.join('%%%02x' % b for b in (i.to_bytes(4,'big')*5)) for i in range(1, n+1))
req=('GET /scrape?%s HTTP/1.1\r\nHost: t\r\n\r\n' % q).encode()
s=socket.create_connection(('127.0.0.1',port)); s.settimeout(5)
def one():
    s.sendall(req); buf=b''
    while b'\r\n\r\n' not in buf: buf+=s.recv(65536)
    head,_,body=buf.partition(b'\r\n\r\n')
    ln=int([l for l in head.split(b'\r\n') if l.lower().startswith(b'content-length')][0].split(b':')[1])
    while len(body)<ln: body+=s.recv(65536)
for _ in range(50): one()
t=[]
for _ in range(rounds):
    a=time.perf_counter(); one(); t.append((time.perf_counter()-a)*1000)
t.sort()
print('n=%d median_ms=%.3f p99_ms=%.3f' % (n, statistics.median(t), t[int(len(t)*0.99)-1]))
