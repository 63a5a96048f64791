/* ascii.h - character classes of the ASCII range, whatever the locale:
 * mail, logs and alerts are read byte by byte, and a byte over 0x7f is
 * never a letter or a digit here */
#ifndef FPKIT_ASCII_H
#define FPKIT_ASCII_H

#include <stdbool.h>

static inline bool
ascii_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_isalnum(unsigned char c)
{
	return ascii_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Space or tab. */
static inline bool
ascii_isblank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline unsigned char
ascii_tolower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

#endif
