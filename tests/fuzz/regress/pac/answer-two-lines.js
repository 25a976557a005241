function FindProxyForURL(u, h) { alert("a\nb"); return "x\ny"; }
