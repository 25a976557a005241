/* pac_helpers.js - the standard PAC functions (Netscape's list) and
 * Microsoft's IPv6 extensions, for mdediag's PAC evaluator (diag/net/pac.c).
 *
 * Our own code, run before the PAC script in the same Duktape heap. The
 * platform answers through four natives installed by pac.c:
 *   __dx_resolve(host)     first IPv4 address of host, or null
 *   __dx_resolve_all(host) every address, ';'-separated, or ""
 *   __dx_my_ips()          the device's addresses, ';'-separated (never "")
 *   __dx_now()             the device clock, seconds since the epoch (UTC)
 *   __dx_utc_offset()      seconds to add to UTC for the device's local time
 *                          (its time zone, daylight saving included, at now)
 *   __dx_alert(msg)        records an alert() message as evidence
 * Time functions read the device clock and time zone, never the host's, so
 * a fixture gives the same answer on every run: local time unless the last
 * argument is "GMT", as the Netscape spec says.
 */

function isPlainHostName(host) {
	return String(host).indexOf('.') < 0;
}

function dnsDomainIs(host, domain) {
	host = String(host);
	domain = String(domain);
	return host.length >= domain.length &&
		host.substring(host.length - domain.length) === domain;
}

function localHostOrDomainIs(host, hostdom) {
	host = String(host);
	hostdom = String(hostdom);
	return host === hostdom || hostdom.lastIndexOf(host + '.', 0) === 0;
}

function isResolvable(host) {
	return __dx_resolve(String(host)) !== null;
}

function isResolvableEx(host) {
	return __dx_resolve_all(String(host)) !== '';
}

function dnsResolve(host) {
	return __dx_resolve(String(host));
}

function dnsResolveEx(host) {
	return __dx_resolve_all(String(host));
}

function myIpAddress() {
	var all = __dx_my_ips().split(';');
	for (var i = 0; i < all.length; i++)
		if (__dx_v4(all[i]) !== null)
			return all[i];
	return '127.0.0.1';
}

function myIpAddressEx() {
	return __dx_my_ips();
}

function dnsDomainLevels(host) {
	return String(host).split('.').length - 1;
}

/* Shell expression: '*' any run, '?' one character, the rest literal. */
function shExpMatch(str, shexp) {
	var re = String(shexp).replace(/[.+^${}()|[\]\\\/]/g, '\\$&')
		.replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp('^' + re + '$').test(String(str));
}

/* "a.b.c.d" to a 32-bit number, or null. */
function __dx_v4(s) {
	var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(String(s));
	if (!m)
		return null;
	var n = 0;
	for (var i = 1; i <= 4; i++) {
		var b = parseInt(m[i], 10);
		if (b > 255)
			return null;
		n = n * 256 + b;
	}
	return n;
}

/* As Mozilla's, Chromium's and pacparser's: each of the first four
 * dot-separated parts masked to a byte (a missing or non-numeric part is 0),
 * packed into a signed 32-bit number ("192.168.1.1" is -1062731519). */
function convert_addr(ipchars) {
	var b = String(ipchars).split('.'), n = 0;
	for (var i = 0; i < 4; i++)
		n = (n << 8) | (b[i] & 0xff);
	return n;
}

function isInNet(host, pattern, mask) {
	var addr = __dx_v4(host) !== null ? String(host) : __dx_resolve(String(host));
	var a = __dx_v4(addr), p = __dx_v4(pattern), m = __dx_v4(mask);
	if (a === null || p === null || m === null)
		return false;
	/* bitwise on 32 bits, compared unsigned */
	return ((a & m) >>> 0) === ((p & m) >>> 0);
}

/* An IPv6 (or IPv4) address to 16 bytes, or null. */
function __dx_bytes(s) {
	s = String(s);
	var v4 = __dx_v4(s);
	if (v4 !== null)
		return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
			(v4 >>> 24) & 255, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255];
	var pct = s.indexOf('%');
	if (pct >= 0)
		s = s.substring(0, pct);
	if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45)
		return null;
	var tail = [];
	var dot = s.lastIndexOf(':');
	if (s.indexOf('.') >= 0) {
		var t = __dx_v4(s.substring(dot + 1));
		if (t === null)
			return null;
		s = s.substring(0, dot + 1) + ((t >>> 16) & 0xffff).toString(16) + ':' +
			(t & 0xffff).toString(16);
	}
	var halves = s.split('::');
	if (halves.length > 2)
		return null;
	function groups(x) {
		return x === '' ? [] : x.split(':');
	}
	var head = groups(halves[0]), rest = halves.length === 2 ? groups(halves[1]) : [];
	var fill = 8 - head.length - rest.length;
	if ((halves.length === 1 && fill !== 0) || fill < 0)
		return null;
	var all = head.slice(0);
	for (var i = 0; i < fill; i++)
		all.push('0');
	all = all.concat(rest);
	var out = [];
	for (var k = 0; k < 8; k++) {
		if (!/^[0-9a-fA-F]{1,4}$/.test(all[k]))
			return null;
		var g = parseInt(all[k], 16);
		out.push((g >>> 8) & 255, g & 255);
	}
	return out.concat(tail);
}

function isInNetEx(ipaddress, ipprefix) {
	var slash = String(ipprefix).indexOf('/');
	if (slash < 0)
		return false;
	var pfx = String(ipprefix).substring(0, slash);
	var len = parseInt(String(ipprefix).substring(slash + 1), 10);
	var a = __dx_bytes(ipaddress), p = __dx_bytes(pfx);
	if (a === null || p === null || isNaN(len))
		return false;
	if (__dx_v4(pfx) !== null) {
		if (__dx_v4(ipaddress) === null || len < 0 || len > 32)
			return false;
		len += 96; /* both mapped into ::ffff:0:0/96 */
	}
	if (len < 0 || len > 128)
		return false;
	for (var i = 0; i < 16 && len > 0; i++, len -= 8) {
		var m = len >= 8 ? 255 : (0xff << (8 - len)) & 255;
		if ((a[i] & m) !== (p[i] & m))
			return false;
	}
	return true;
}

/* IPv6 before IPv4 (Microsoft's order), then by bytes; "" for bad input. */
function sortIpAddressList(list) {
	var items = String(list).split(';'), rows = [];
	for (var i = 0; i < items.length; i++) {
		var s = items[i].replace(/^\s+|\s+$/g, '');
		var b = __dx_bytes(s);
		if (b === null)
			return '';
		rows.push({ s: s, v6: __dx_v4(s) === null ? 0 : 1, b: b });
	}
	rows.sort(function (x, y) {
		if (x.v6 !== y.v6)
			return x.v6 - y.v6;
		for (var k = 0; k < 16; k++)
			if (x.b[k] !== y.b[k])
				return x.b[k] - y.b[k];
		return 0;
	});
	var out = [];
	for (var j = 0; j < rows.length; j++)
		out.push(rows[j].s);
	return out.join(';');
}

function getClientVersion() {
	return '1.0';
}

function alert(msg) {
	__dx_alert(String(msg));
}

/* ---- time ---------------------------------------------------------------- */

/* Day and month names are compared exactly, upper case, as the Netscape
 * spec lists them and Mozilla, Chromium and pacparser compare them:
 * weekdayRange('mon') is false. */

var __dx_days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
var __dx_months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP',
	'OCT', 'NOV', 'DEC'];

/* The device's time as a Date whose getUTC* fields are the wall clock
 * wanted: local time, or UTC when `gmt`. */
function __dx_date(gmt) {
	return new Date((__dx_now() + (gmt ? 0 : __dx_utc_offset())) * 1000);
}

/* The arguments without a trailing "GMT"; out.gmt says whether it was there. */
function __dx_args(a) {
	var out = [];
	for (var i = 0; i < a.length; i++)
		out.push(a[i]);
	out.gmt = out.length > 0 && out[out.length - 1] === 'GMT';
	if (out.gmt)
		out.pop();
	return out;
}

function weekdayRange() {
	var a = __dx_args(arguments);
	var d1 = __dx_days.indexOf(a[0]);
	var d2 = a.length > 1 ? __dx_days.indexOf(a[1]) : d1;
	var today = __dx_date(a.gmt).getUTCDay();
	if (d1 < 0 || d2 < 0)
		return false;
	return d1 <= d2 ? today >= d1 && today <= d2 : today >= d1 || today <= d2;
}

/* dateRange(day | month | year | day, month | month, year | ... ranges):
 * each argument is a day (1-31), a month name or a year (four digits). */
function dateRange() {
	var a = __dx_args(arguments), now = __dx_date(a.gmt);
	var parts = [];
	for (var i = 0; i < a.length; i++) {
		var v = a[i], m = __dx_months.indexOf(v);
		if (m >= 0)
			parts.push({ k: 'm', v: m });
		else if (typeof v === 'number' && v > 31)
			parts.push({ k: 'y', v: v });
		else if (typeof v === 'number')
			parts.push({ k: 'd', v: v });
		else
			return false;
	}
	function value(p, kinds) {
		var y = now.getUTCFullYear(), mo = now.getUTCMonth(), d = now.getUTCDate();
		var r = { y: y, m: mo, d: d };
		for (var j = 0; j < p.length; j++)
			r[p[j].k] = p[j].v;
		var key = 0;
		if (kinds.y)
			key += r.y * 10000;
		if (kinds.m)
			key += r.m * 100;
		if (kinds.d)
			key += r.d;
		return key;
	}
	var n = parts.length;
	if (n === 0 || n > 6)
		return false;
	var kinds = {};
	var lo = n === 1 ? parts : parts.slice(0, n / 2 | 0);
	var hi = n === 1 ? parts : parts.slice(n / 2 | 0);
	if (n > 1 && lo.length !== hi.length)
		return false;
	for (var q = 0; q < lo.length; q++)
		kinds[lo[q].k] = 1;
	var cur = value([], kinds), from = value(lo, kinds), to = value(hi, kinds);
	return from <= to ? cur >= from && cur <= to : cur >= from || cur <= to;
}

/* timeRange(hour | h1, h2 | h1, m1, h2, m2 | h1, m1, s1, h2, m2, s2) */
function timeRange() {
	var a = __dx_args(arguments), now = __dx_date(a.gmt);
	var cur = now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds();
	var from, to;
	for (var i = 0; i < a.length; i++)
		if (typeof a[i] !== 'number')
			return false;
	if (a.length === 1)
		return now.getUTCHours() === a[0];
	if (a.length === 2) {
		from = a[0] * 3600;
		to = a[1] * 3600;
		return from <= to ? cur >= from && cur < to : cur >= from || cur < to;
	}
	if (a.length === 4) {
		from = a[0] * 3600 + a[1] * 60;
		to = a[2] * 3600 + a[3] * 60;
	} else if (a.length === 6) {
		from = a[0] * 3600 + a[1] * 60 + a[2];
		to = a[3] * 3600 + a[4] * 60 + a[5];
	} else {
		return false;
	}
	return from <= to ? cur >= from && cur <= to : cur >= from || cur <= to;
}
