function FindProxyForURL(u, h) { throw "line one\nline two"; }
