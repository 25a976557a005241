// プロキシ設定 表 (Shift_JIS)
function FindProxyForURL(url, host) { return "DIRECT"; }
