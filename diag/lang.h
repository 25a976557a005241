/* lang.h - which language the reports speak.
 *
 * The catalogs are data (data/messages-<lang>.json); this file only decides
 * which one a run uses when --lang is not given: the environment's locale
 * on Linux (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them) and
 * the user's UI language on Windows.
 */
#ifndef DX_LANG_H
#define DX_LANG_H

/* The languages with a catalog, NULL-terminated: {"en", "ja", NULL}. */
extern const char *const dx_langs[];

/* 1 when `lang` is one of dx_langs. */
int dx_lang_supported(const char *lang);

/* The language a locale name asks for ("ja_JP.UTF-8" -> "ja"), or "en"
 * for anything without a catalog ("C", "POSIX", "", NULL, "de_DE"). */
const char *dx_lang_from_locale(const char *locale);

/* The default language of this process: see the file comment. Never NULL. */
const char *dx_lang_default(void);

#endif
