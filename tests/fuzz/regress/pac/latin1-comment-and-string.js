// Proxy für das Büro (Latin-1)
function FindProxyForURL(url, host) {
  if (dnsDomainIs(host, ".büro.local")) return "DIRECT";
  return "PROXY proxy.contoso.com:8080";
}
