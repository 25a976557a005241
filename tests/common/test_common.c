/* The shared pieces of common/: the host:port parser, the getopt error
 * lines and the JSON path reader, each with the texts its callers'
 * tests depend on. */
#include <criterion/criterion.h>
#include <string.h>
#include "cliopt.h"
#include "hostport.h"
#include "jpath.h"

Test(hostport, name_v6_and_default_port)
{
	char host[256], err[100];
	int port = -1;
	cr_assert_eq(cm_hostport_parse("proxy.contoso.com:8080", 22, 80, host, sizeof host, &port,
				       err, sizeof err),
		     0);
	cr_expect_str_eq(host, "proxy.contoso.com");
	cr_expect_eq(port, 8080);
	cr_assert_eq(cm_hostport_parse("[fd00::1]:3128", 14, 80, host, sizeof host, &port, err,
				       sizeof err),
		     0);
	cr_expect_str_eq(host, "fd00::1");
	cr_expect_eq(port, 3128);
	cr_assert_eq(
		cm_hostport_parse("[fd00::1]", 9, 80, host, sizeof host, &port, err, sizeof err),
		0);
	cr_expect_str_eq(host, "fd00::1");
	cr_expect_eq(port, 80);
	/* only the first len bytes are read */
	cr_assert_eq(cm_hostport_parse("h:1;rest", 3, 80, host, sizeof host, &port, NULL, 0), 0);
	cr_expect_str_eq(host, "h");
	cr_expect_eq(port, 1);
}

Test(hostport, refusals_say_why)
{
	static const struct {
		const char *in;
		int defport;
		const char *why;
	} rows[] = {
		{"", 80, "empty"},
		{"a b:80", 80, "contains a space at position 1"},
		{"a\tb", 80, "contains a control or non-ASCII character at position 1"},
		{"[::1", 80, "unclosed '['"},
		{"[::1]x", 80, "junk after ']'"},
		{"::1", 80, "more than one ':'"},
		{":80", 80, "no host"},
		{"host", 0, "no port"},
		{"host:", 80, "bad port"},
		{"host:123456", 80, "bad port"},
		{"host:8o", 80, "port is not a number"},
		{"host:0", 80, "port 0 out of range"},
		{"host:65536", 80, "port 65536 out of range"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char host[256], err[100] = "";
		int port = 0;
		cr_expect_eq(cm_hostport_parse(rows[i].in, strlen(rows[i].in), rows[i].defport,
					       host, sizeof host, &port, err, sizeof err),
			     -1, "%s", rows[i].in);
		cr_expect_str_eq(err, rows[i].why, "%s", rows[i].in);
	}
	char tiny[4], err[100];
	int port;
	cr_expect_eq(cm_hostport_parse("abcd:1", 6, 80, tiny, sizeof tiny, &port, err, sizeof err),
		     -1);
	cr_expect_str_eq(err, "host too long");
}

Test(cliopt, the_four_lines)
{
	char m[100];
	cr_expect_str_eq(cm_getopt_error(':', "--fixture", 0, m, sizeof m),
			 "option '--fixture' needs a value");
	cr_expect_str_eq(cm_getopt_error(':', "-j", 'j', m, sizeof m), "option '-j' needs a value");
	cr_expect_str_eq(cm_getopt_error(':', "--verbose=1", 0, m, sizeof m),
			 "option '--verbose' takes no value");
	cr_expect_str_eq(cm_getopt_error('?', "--verbose=1", 300, m, sizeof m),
			 "option '--verbose' takes no value");
	cr_expect_str_eq(cm_getopt_error('?', "--bogus=1", 0, m, sizeof m),
			 "unknown option '--bogus'");
	cr_expect_str_eq(cm_getopt_error('?', "-x", 'x', m, sizeof m), "unknown option '-x'");
}

Test(jpath, path_steps_and_errors)
{
	struct cm_jpath p;
	char err[200];
	cm_jpath_root(&p);
	size_t a = cm_jpath_member(&p, "hosts", 0);
	size_t b = cm_jpath_member(&p, "x\ny", 1);
	cm_jpath_index(&p, 3);
	cr_expect_str_eq(p.s, "$.hosts[\"x?y\"][3]");
	cm_jpath_pop(&p, b);
	cr_expect_str_eq(p.s, "$.hosts");
	cr_expect_eq(cm_jpath_fail(err, sizeof err, p.s, "ms", "%d out of range", -5), -1);
	cr_expect_str_eq(err, "$.hosts.ms: -5 out of range");
	cm_jpath_pop(&p, a);
	cm_jpath_fail(err, sizeof err, p.s, NULL, "unknown key \"%s\"", "k");
	cr_expect_str_eq(err, "$: unknown key \"k\"");
}

Test(jpath, typed_members)
{
	cJSON *o =
		cJSON_Parse("{\"s\": \"text\", \"n\": 7.5, \"i\": 99, \"big\": 4.4e85, \"o\": {}}");
	const cJSON *it;
	const char *s;
	char err[200];
	int v = 0;
	cr_assert(o);
	cr_expect_eq(cm_jpath_get(o, "o", cJSON_Object, &it), 1);
	cr_expect_eq(cm_jpath_get(o, "s", cJSON_Object, &it), -1);
	cr_expect_eq(cm_jpath_get(o, "absent", cJSON_Object, &it), 0);
	cr_expect_eq(cm_jpath_get(NULL, "s", cJSON_String, &it), 0);
	cr_expect_str_eq(cm_jpath_string(o, "s"), "text");
	cr_expect_null(cm_jpath_string(o, "n"));
	cr_expect_eq(cm_jpath_str(o, "s", 4, &s), 1);
	cr_expect_eq(cm_jpath_str(o, "s", 3, &s), -1);
	cr_expect_eq(cm_jpath_int(o, "absent", 5, 0, 10, "$", &v, err, sizeof err), 0);
	cr_expect_eq(v, 5);
	cr_expect_eq(cm_jpath_int(o, "i", 5, 0, 10, "$", &v, err, sizeof err), -1);
	cr_expect_str_eq(err, "$.i: 99 out of range [0, 10]");
	cr_expect_eq(cm_jpath_int(o, "n", 5, 0, 10, "$", &v, err, sizeof err), -1);
	cr_expect_str_eq(err, "$.n: must be an integer");
	cr_expect_eq(cm_jpath_int(o, "big", 5, 0, 10, "$", &v, err, sizeof err), -1);
	cr_expect_str_eq(err, "$.big: 4.4e+85 out of range [0, 10]");
	static const char *const known[] = {"s", "n", "i", "big", NULL};
	it = cm_jpath_unknown(o, known);
	cr_assert(it);
	cr_expect_str_eq(it->string, "o");
	cr_expect_str_eq(cm_jpath_type_name(it), "an object");
	cJSON_Delete(o);
}
