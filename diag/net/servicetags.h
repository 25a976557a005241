/* servicetags.h - the address prefixes of Defender for Endpoint in an Azure
 * ServiceTags file (--service-tags; "Azure IP Ranges and Service Tags",
 * ServiceTags_Public_*.json).
 *
 * Only the MicrosoftDefenderForEndpoint and OneDsCollector tags count: they
 * are the ones the static-IP setup allows. ServiceTags files are several
 * MB; parsing one whole with cJSON would cost several times that in nodes,
 * so the text is scanned and only each element of "values" is parsed, one
 * at a time. Input is untrusted: any text gives 0 or -1, never a crash,
 * and memory grows only with the prefixes found.
 */
#ifndef DX_SERVICETAGS_H
#define DX_SERVICETAGS_H

#include <stddef.h>

/* Largest ServiceTags file read (the public one is about 5 MB). */
#define DX_SERVICE_TAGS_MAX (64u << 20)

/* An address prefix: the address bytes, its family's width (32 or 128)
 * and the prefix length (0..bits). */
struct dx_prefix {
	unsigned char b[16];
	int bits, len;
};

/* Zero-initialise; owns its array. */
struct dx_prefixes {
	struct dx_prefix *items;
	size_t count, cap;
};

/* Appends the two tags' prefixes found in text[0, len) to *out (malformed
 * prefixes are skipped). 0, or -1 when the text is not a ServiceTags
 * document (no top-level object with a "values" array, an element that is
 * not JSON) or memory ran out; what was appended stays, for the caller to
 * free. */
int dx_service_tags_scan(const char *text, size_t len, struct dx_prefixes *out);
/* 1 when the address (bytes as dx_addr_bytes gives them, `bits` 32 or
 * 128) lies inside one of the prefixes, else 0. */
int dx_prefixes_contain(const struct dx_prefixes *px, const unsigned char *b, int bits);
void dx_prefixes_free(struct dx_prefixes *px);

#endif
