/* netaddr.h - IP addresses and blocks as the API writes them, and as
 * mail headers and logs name them */
#ifndef FPKIT_NETADDR_H
#define FPKIT_NETADDR_H

#include <stdbool.h>

/* Room for an address in text (INET6_ADDRSTRLEN), with its NUL. */
#define NETADDR_TEXT 46

/* True when s is a dotted-quad IPv4 address (inet_pton's strict form). */
bool netaddr_is_ipv4(const char *s);

/* True when s is an IPv4 or IPv6 address. */
bool netaddr_is_ip(const char *s);

/* True when s is "ADDRESS/PREFIX" (IPv4 /0-32 or IPv6 /0-128), or a
 * bare address (a /32 or /128 block, as the API accepts). */
bool netaddr_is_block(const char *s);

/* True when the IPv4 address ip lies inside the IPv4 block; false for
 * anything malformed. */
bool netaddr_block_contains(const char *block, const char *ip);

/* The one spelling of an IPv4 or IPv6 address s (inet_ntop's), so that
 * two spellings of one address compare equal: into out; false when s is
 * no address. */
bool netaddr_canonical(const char *s, char out[NETADDR_TEXT]);

/* True when the address s is not one of the Internet's: loopback,
 * private (RFC 1918, RFC 4193), shared (RFC 6598), link-local or
 * unspecified, IPv4 or IPv4-mapped IPv6.  A message from or to such an
 * address has not crossed a public IP. */
bool netaddr_is_internal(const char *s);

/* The name of the address s in the reverse tree: "4.3.2.1.ZONE" for
 * 1.2.3.4, the 32 nibbles of an IPv6 address, last first, then ".ZONE";
 * ZONE is in-addr.arpa or ip6.arpa when zone is NULL (a DNS blocklist's
 * zone otherwise).  New, or NULL when s is no address. */
char *netaddr_reverse_name(const char *s, const char *zone);

/* Is 'host', as curl_url gives it (an IPv6 address in brackets), a
 * loopback address written as such, or "localhost"?  Exact matches only:
 * "127.attacker.invalid" and "localhost.evil.invalid" are names some
 * resolver answers for, not loopback.  The rule for plain http and
 * imap:// (never off the machine). */
bool netaddr_host_is_loopback(const char *host);

#endif
