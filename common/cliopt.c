/* cliopt.c - the wording of getopt_long's errors (cliopt.h). */
#include <stdio.h>
#include <string.h>
#include "cliopt.h"

const char *cm_getopt_error(int c, const char *arg, int opt, char *msg, size_t msgsz)
{
	int is_long = strncmp(arg, "--", 2) == 0;
	int name_len = (int)strcspn(arg, "="); /* "--name" of "--name=value" */

	if (c == ':') {
		if (is_long && strchr(arg, '=')) /* MinGW: a flag given "=value" */
			snprintf(msg, msgsz, "option '%.*s' takes no value", name_len, arg);
		else if (is_long)
			snprintf(msg, msgsz, "option '%s' needs a value", arg);
		else
			snprintf(msg, msgsz, "option '-%c' needs a value", opt);
	} else if (!is_long) {
		snprintf(msg, msgsz, "unknown option '-%c'", opt);
	} else if (opt) { /* a known flag given "=value" */
		snprintf(msg, msgsz, "option '%.*s' takes no value", name_len, arg);
	} else {
		snprintf(msg, msgsz, "unknown option '%.*s'", name_len, arg);
	}
	return msg;
}
