/* netaddr.h - IP addresses and blocks as the API writes them */
#ifndef FPKIT_NETADDR_H
#define FPKIT_NETADDR_H

#include <stdbool.h>

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

#endif
