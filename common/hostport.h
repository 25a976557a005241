/* hostport.h - "host:port" read one way everywhere: a proxy setting of the
 * device (mdediag), a proxy's address in the mock cloud's config, a Host
 * header, a CONNECT request, the ports of --connect-to. */
#ifndef CM_HOSTPORT_H
#define CM_HOSTPORT_H

#include <stddef.h>

/* Reads the port s[0..len): 1 to 5 decimal digits, 1 to 65535. 0, or -1
 * with the reason in err ("bad port", "port is not a number", "port N out
 * of range"); err may be NULL. */
int cm_port_parse(const char *s, size_t len, int *port, char *err, size_t errsz);

/* Splits s[0..len), "host", "host:port" or "[v6]" / "[v6]:port", into
 * host (without the brackets, NUL-terminated, at most hostsz - 1 bytes)
 * and port. Without a port, the port is defport; defport 0 means a port
 * is required. Only bytes from '!' to '~' are allowed; a host without
 * brackets holds no ':'. 0, or -1 with one line in err (err may be NULL):
 * "empty", "contains a space at position N", "unclosed '['", "junk after
 * ']'", "more than one ':'", "no host", "host too long", "no port", or a
 * port's reason (cm_port_parse). */
int cm_hostport_parse(const char *s, size_t len, int defport, char *host, size_t hostsz, int *port,
		      char *err, size_t errsz);

#endif
