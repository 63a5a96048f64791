/* netaddr.c - IP addresses and blocks as the API writes them, and as
 * mail headers and logs name them */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netaddr.h"
#include "xalloc.h"

bool
netaddr_is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

bool
netaddr_is_ip(const char *s)
{
	struct in6_addr a6;

	return netaddr_is_ipv4(s) || inet_pton(AF_INET6, s, &a6) == 1;
}

/* Split "A/P" into the address (copied into addr) and the prefix length;
 * a missing "/P" gives -1. */
static int
split_block(const char *s, char *addr, size_t size, long *prefix)
{
	const char *slash = strchr(s, '/');
	char *end;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= size)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	*prefix = -1;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
			return -1;
		*prefix = strtol(slash + 1, &end, 10);
		if (*end != '\0')
			return -1;
	}
	return 0;
}

bool
netaddr_is_block(const char *s)
{
	char addr[64];
	long prefix;

	if (split_block(s, addr, sizeof(addr), &prefix) < 0)
		return false;
	if (netaddr_is_ipv4(addr))
		return prefix <= 32;
	if (netaddr_is_ip(addr))
		return prefix <= 128;
	return false;
}

bool
netaddr_block_contains(const char *block, const char *ip)
{
	char addr[64];
	long prefix;
	struct in_addr net, host;
	uint32_t mask;

	if (split_block(block, addr, sizeof(addr), &prefix) < 0)
		return false;
	if (inet_pton(AF_INET, addr, &net) != 1 || inet_pton(AF_INET, ip, &host) != 1)
		return false;
	if (prefix < 0)
		prefix = 32;
	if (prefix > 32)
		return false;
	mask = prefix == 0 ? 0 : htonl(~(uint32_t)0 << (32 - prefix));
	return (net.s_addr & mask) == (host.s_addr & mask);
}

bool
netaddr_canonical(const char *s, char out[NETADDR_TEXT])
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, s, bin) == 1)
		return inet_ntop(AF_INET, bin, out, NETADDR_TEXT) != NULL;
	if (inet_pton(AF_INET6, s, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, NETADDR_TEXT) != NULL;
	return false;
}

/* An IPv4 address (network order bytes) in a private or local range. */
static bool
ipv4_internal(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) ||		/* 100.64/10, RFC 6598 */
	       (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168);
}

bool
netaddr_is_internal(const char *s)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16];
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return ipv4_internal(a);
	if (inet_pton(AF_INET6, s, a) != 1)
		return false;
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return ipv4_internal(a + 12);
	return memcmp(a, zero, 15) == 0 ||		/* :: and ::1 */
	       (a[0] & 0xfe) == 0xfc ||			/* fc00::/7, RFC 4193 */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);	/* fe80::/10 */
}

char *
netaddr_reverse_name(const char *s, const char *zone)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	char nibbles[64 + 1], *p = nibbles;

	if (inet_pton(AF_INET, s, a) == 1)
		return xasprintf("%u.%u.%u.%u.%s", a[3], a[2], a[1], a[0],
				 zone ? zone : "in-addr.arpa");
	if (inet_pton(AF_INET6, s, a) != 1)
		return NULL;
	for (int i = 15; i >= 0; i--) {
		*p++ = hex[a[i] & 15];
		*p++ = '.';
		*p++ = hex[a[i] >> 4];
		*p++ = '.';
	}
	*p = '\0';
	return xasprintf("%s%s", nibbles, zone ? zone : "ip6.arpa");
}

bool
netaddr_host_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char inner[INET6_ADDRSTRLEN];
	size_t n = strlen(host);

	/* DNS names are case-insensitive; libcurl answers "localhost" from
	 * loopback itself, without asking a resolver. */
	if (strcasecmp(host, "localhost") == 0)
		return true;
	/* libcurl writes other IPv4 notations (127.1, 0x7f.0.0.1) as
	 * dotted decimal, the only form inet_pton takes. */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && n - 2 < sizeof(inner) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return false;
}
