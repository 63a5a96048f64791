/* mboxsep.c - where the messages of an mbox begin and end: the "From "
 * lines, found in the bytes of a window (store.c reads the windows), and
 * the empty line a writer puts before each */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "fpkit_limits.h"
#include "mboxsep.h"

/* Where the first "From " line of a would-be mbox starts: white space
 * before it is tolerated (see doc/VIOLATIONS.md).  -1 when buf does not
 * start an mbox. */
ssize_t
mboxsep_start(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (len - i >= 5 && memcmp(buf + i, "From ", 5) == 0 && (i == 0 || buf[i - 1] == '\n'))
		return (ssize_t)i;
	return -1;
}

/* The first "\nFrom " in [p, p + len), or NULL: the hot loop of an mbox
 * scan.  glibc's memmem is general; this looks for the pair "\nF" 16
 * bytes at a time (SSE2, part of every x86-64) and checks the rest only
 * there.  Elsewhere, memchr for the newlines.  mboxsep_find() below
 * takes 64 bytes at a time where the processor has AVX2. */
static const char *
find_sse2(const char *p, size_t len)
{
	const char *end = p + len;

#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), f = _mm_set1_epi8('F');

	while (end - p >= 22) {	/* 16 + 1 for the pair, + 5 for "rom " */
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl),
									  _mm_cmpeq_epi8(b, f)));

		while (mask) {
			const char *c = p + __builtin_ctz(mask);

			if (memcmp(c + 2, "rom ", 4) == 0)
				return c;
			mask &= mask - 1;
		}
		p += 16;
	}
#endif
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && memcmp(p + 1, "From ", 5) == 0)
			return p;
		p++;
	}
	return NULL;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define MBOXSEP_HAVE_AVX2 1
/* The same, 64 bytes at a time; the tail goes to the SSE2 loop.
 * Compiled for AVX2 whatever the build's flags, called only where
 * the processor has it. */
__attribute__((target("avx2"))) static const char *
find_avx2(const char *p, size_t len)
{
	const char *end = p + len;
	const __m256i nl = _mm256_set1_epi8('\n'), f = _mm256_set1_epi8('F');

	while (end - p >= 70) {	/* 64 + 1 for the pair, + 5 for "rom " */
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i b0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 1));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 33));
		uint64_t mask = (uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(a0, nl), _mm256_cmpeq_epi8(b0, f)));

		mask |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(a1, nl), _mm256_cmpeq_epi8(b1, f))) << 32;
		while (mask) {
			const char *c = p + __builtin_ctzll(mask);

			if (memcmp(c + 2, "rom ", 4) == 0)
				return c;
			mask &= mask - 1;
		}
		p += 64;
	}
	return find_sse2(p, (size_t)(end - p));
}
#endif

const char *
mboxsep_find(const char *p, size_t len)
{
#ifdef MBOXSEP_HAVE_AVX2
	if (__builtin_cpu_supports("avx2"))
		return find_avx2(p, len);
#endif
	return find_sse2(p, len);
}

/* The header block's end, as msgid_header_end() finds it, and the lines
 * that start with a letter, both looked for a vector at a time: each
 * mbox message's header block is measured, most of them never read. */
static size_t
blank_scalar(const char *p, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return SIZE_MAX;
}

static size_t
blank_sse2(const char *p, size_t from, size_t len)
{
	size_t i = from;

#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');

	for (; i + 18 <= len; i += 16) {	/* 16, + 2 looked at after each */
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 2));
		__m128i m = _mm_and_si128(_mm_cmpeq_epi8(a, nl),
					  _mm_or_si128(_mm_cmpeq_epi8(b, nl),
						       _mm_and_si128(_mm_cmpeq_epi8(b, cr),
								     _mm_cmpeq_epi8(c, nl))));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask) {
			size_t k = i + (size_t)__builtin_ctz(mask);

			return p[k + 1] == '\n' ? k + 2 : k + 3;
		}
	}
#endif
	return blank_scalar(p, i, len);
}

#ifdef MBOXSEP_HAVE_AVX2
__attribute__((target("avx2"))) static size_t
blank_avx2(const char *p, size_t len)
{
	const __m256i nl = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
	size_t i = 0;

	for (; i + 34 <= len; i += 32) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 1));
		__m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 2));
		__m256i m = _mm256_and_si256(_mm256_cmpeq_epi8(a, nl),
					     _mm256_or_si256(_mm256_cmpeq_epi8(b, nl),
							     _mm256_and_si256(_mm256_cmpeq_epi8(b, cr),
									      _mm256_cmpeq_epi8(c, nl))));
		unsigned mask = (unsigned)_mm256_movemask_epi8(m);

		if (mask) {
			size_t k = i + (size_t)__builtin_ctz(mask);

			return p[k + 1] == '\n' ? k + 2 : k + 3;
		}
	}
	return blank_sse2(p, i, len);
}
#endif

size_t
mboxsep_header_end(const char *p, size_t len, bool *complete)
{
	size_t n;

	*complete = true;
	if (len >= 1 && p[0] == '\n')
		return 1;
	if (len >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
#ifdef MBOXSEP_HAVE_AVX2
	if (__builtin_cpu_supports("avx2"))
		n = blank_avx2(p, len);
	else
#endif
		n = blank_sse2(p, 0, len);
	if (n != SIZE_MAX)
		return n;
	*complete = false;
	return len;
}

#ifdef MBOXSEP_HAVE_AVX2
/* The vector loop of mboxsep_line_starting, 32 bytes at a time: the
 * offset it stopped at in *at, the line's offset or SIZE_MAX. */
__attribute__((target("avx2"))) static size_t
line_avx2(const char *p, size_t *at, size_t len, char lower)
{
	const __m256i nl = _mm256_set1_epi8('\n'), l = _mm256_set1_epi8(lower);
	const __m256i x20 = _mm256_set1_epi8(0x20);
	size_t i = *at;

	for (; i + 32 <= len; i += 32) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + i - 1));
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		unsigned mask = (unsigned)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(a, nl),
					 _mm256_cmpeq_epi8(_mm256_or_si256(b, x20), l)));

		if (mask)
			return i + (size_t)__builtin_ctz(mask);
	}
	*at = i;
	return SIZE_MAX;
}
#endif

size_t
mboxsep_line_starting(const char *p, size_t from, size_t len, char letter)
{
	char lower = (char)(letter | 0x20);
	size_t i = from;

	if (i == 0) {
		if (len && (p[0] | 0x20) == lower)
			return 0;
		i = 1;
	}
#ifdef MBOXSEP_HAVE_AVX2
	if (__builtin_cpu_supports("avx2")) {
		size_t k = line_avx2(p, &i, len, lower);

		if (k != SIZE_MAX)
			return k;
	}
#endif
#ifdef __SSE2__
	{
		const __m128i nl = _mm_set1_epi8('\n'), l = _mm_set1_epi8(lower);
		const __m128i x20 = _mm_set1_epi8(0x20);

		/* a line start k has p[k - 1] == '\n' */
		for (; i + 16 <= len; i += 16) {
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i - 1));
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			unsigned mask = (unsigned)_mm_movemask_epi8(
				_mm_and_si128(_mm_cmpeq_epi8(a, nl),
					      _mm_cmpeq_epi8(_mm_or_si128(b, x20), l)));

			if (mask)
				return i + (size_t)__builtin_ctz(mask);
		}
	}
#endif
	for (; i < len; i++)
		if (p[i - 1] == '\n' && (p[i] | 0x20) == lower)
			return i;
	return SIZE_MAX;
}

/* True when the line at p (up to end) is an mbox "From " line:
 * "From SENDER DATE" with an asctime-like time and year.  A body line
 * that merely starts with "From " and escaped quoting is not one (the
 * test of git's mailsplit: a time "h:mm:ss"-like and a year after it).
 * A line that 'end' cuts when more bytes may follow is undecided: true,
 * for the caller to look again with the whole line (within the limit
 * on a "From " line; a longer one is judged as it stands). */
bool
mboxsep_is_from_line(const char *p, const char *end, bool more)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end, *colon;
	const bool undecided = nl == NULL && more && end - p <= FPKIT_LIMIT_FROM_LINE;

	if (e - p < 20 || memcmp(p, "From ", 5) != 0)
		return undecided;
	for (colon = e - 1; colon > p + 5 && *colon != ':'; colon--)
		;
	if (colon <= p + 6 || colon + 3 > e)
		return undecided;
	if (!isdigit((unsigned char)colon[-1]) || !isdigit((unsigned char)colon[1]) ||
	    !isdigit((unsigned char)colon[2]))
		return undecided;
	/* a four-digit year somewhere after the time */
	for (const char *q = colon + 3; q + 4 <= e; q++)
		if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
		    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]))
			return true;
	return undecided;
}

/* The writers of mboxes end each message with an empty line, so that the
 * next "From " line follows one: Postfix's local(8) always adds it (after
 * a line end of its own when the last line had none), procmail and
 * formail only when the message does not already end with "\n\n", mutt
 * always.  procmail compares bytes: a CRLF message gets a bare LF after
 * its last CR LF.  So the last line is taken for the writer's when it is
 * empty, LF or CR LF, one line at most; a message that ended with an
 * empty line of its own and went through procmail loses that one, which
 * DKIM's body canonicalizations ignore (RFC 6376 3.4.3, 3.4.4).  The
 * exception is the empty line that ends the header block: procmail adds
 * nothing after a message with an empty body, and without that line the
 * copy would look cut in its header. */
size_t
mboxsep_trailer(const char *end, size_t len, size_t hlen)
{
	size_t n = 0;

	if (len >= 1 && end[-1] == '\n') {
		if (len == 1 || end[-2] == '\n')
			n = 1;
		else if (end[-2] == '\r' && (len == 2 || end[-3] == '\n'))
			n = 2;
	}
	if (n && hlen == len)
		n = 0;
	return n;
}
