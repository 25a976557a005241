/* lang.c - the default report language, from the locale or the UI language. */
#include <stdlib.h>
#include <string.h>
#include "lang.h"
#ifdef _WIN32
/* Declared here rather than through <windows.h>, which only the platform
 * layer includes (docs/architecture.md). kernel32, LANGID = WORD. */
__declspec(dllimport) unsigned short __stdcall GetUserDefaultUILanguage(void);
#define DX_LANG_JAPANESE 0x11 /* PRIMARYLANGID(LANG_JAPANESE) */
#endif

const char *const dx_langs[] = {"en", "ja", NULL};

int dx_lang_supported(const char *lang)
{
	for (size_t i = 0; lang && dx_langs[i]; i++)
		if (strcmp(lang, dx_langs[i]) == 0)
			return 1;
	return 0;
}

const char *dx_lang_from_locale(const char *locale)
{
	/* "ja", "ja_JP", "ja_JP.UTF-8", "ja-JP", "ja_JP@euro": the language is
	 * what comes before the first '_', '-', '.' or '@'. */
	if (!locale)
		return "en";
	size_t n = strcspn(locale, "_-.@");
	for (size_t i = 0; dx_langs[i]; i++)
		if (n == strlen(dx_langs[i]) && strncmp(locale, dx_langs[i], n) == 0)
			return dx_langs[i];
	return "en";
}

const char *dx_lang_default(void)
{
#ifdef _WIN32
	/* The primary language is the low 10 bits of the LANGID. */
	if ((GetUserDefaultUILanguage() & 0x3ff) == DX_LANG_JAPANESE)
		return "ja";
	return "en";
#else
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && v[0])
			return dx_lang_from_locale(v);
	}
	return "en";
#endif
}
