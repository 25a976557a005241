/* cliopt.h - the command-line errors getopt_long leaves to its caller,
 * worded once for mdediag, mdediag fleet, mockcloud and the harness. */
#ifndef CM_CLIOPT_H
#define CM_CLIOPT_H

#include <stddef.h>

/* The one line (no program name, no newline) for a getopt_long error,
 * written into msg, which is returned. The caller set opterr = 0 and began
 * its optstring with ':'; `c` is what getopt_long returned: ':' (a value
 * is missing) or anything else it did not recognise ('?': an unknown
 * option, or a flag given "=value"); `arg` is the argument it was reading
 * (argv[optind - 1]) and `opt` is optopt. The texts:
 *   option '--name' needs a value      option '-x' needs a value
 *   option '--name' takes no value     (a flag given "=value"; MinGW's
 *                                       getopt says ':' for it)
 *   unknown option '--name'            unknown option '-x' */
const char *cm_getopt_error(int c, const char *arg, int opt, char *msg, size_t msgsz);

#endif
