/* hostport.c - the one "host:port" parser (hostport.h). */
#include <stdio.h>
#include <string.h>
#include "hostport.h"

int cm_port_parse(const char *s, size_t len, int *port, char *err, size_t errsz)
{
	char dummy[8];
	long v = 0;
	if (!err)
		err = dummy, errsz = sizeof dummy;
	if (len == 0 || len > 5) {
		snprintf(err, errsz, "bad port");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			snprintf(err, errsz, "port is not a number");
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535) {
		snprintf(err, errsz, "port %ld out of range", v);
		return -1;
	}
	*port = (int)v;
	return 0;
}

int cm_hostport_parse(const char *s, size_t len, int defport, char *host, size_t hostsz, int *port,
		      char *err, size_t errsz)
{
	const char *colon = NULL, *h = s;
	char dummy[8];
	size_t hlen;
	if (!err)
		err = dummy, errsz = sizeof dummy;
	if (hostsz)
		host[0] = '\0';
	if (len == 0) {
		snprintf(err, errsz, "empty");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f) {
			snprintf(err, errsz, "contains %s at position %zu",
				 ch == ' ' ? "a space" : "a control or non-ASCII character", i);
			return -1;
		}
	}
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb) {
			snprintf(err, errsz, "unclosed '['");
			return -1;
		}
		h = s + 1;
		hlen = (size_t)(rb - h);
		if ((size_t)(rb + 1 - s) < len) {
			if (rb[1] != ':') {
				snprintf(err, errsz, "junk after ']'");
				return -1;
			}
			colon = rb + 1;
		}
	} else {
		colon = memchr(s, ':', len);
		hlen = colon ? (size_t)(colon - s) : len;
		if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
			snprintf(err, errsz, "more than one ':'");
			return -1;
		}
	}
	if (hlen == 0 || hlen >= hostsz) {
		snprintf(err, errsz, hlen ? "host too long" : "no host");
		return -1;
	}
	if (!colon && !defport) {
		snprintf(err, errsz, "no port");
		return -1;
	}
	if (colon && cm_port_parse(colon + 1, len - (size_t)(colon + 1 - s), port, err, errsz))
		return -1;
	if (!colon)
		*port = defport;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}
