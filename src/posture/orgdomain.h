/* orgdomain.h - the organisational domain of RFC 7489, 3.2 (the one user
 * of libpsl) */
#ifndef FPKIT_ORGDOMAIN_H
#define FPKIT_ORGDOMAIN_H

/*
 * The registrable domain of NAME by the Public Suffix List (the system's
 * copy, or the one built into libpsl): "example.co.uk" for
 * "mail.shop.example.co.uk".  NULL when NAME is itself a public suffix.
 */
char *orgdomain(const char *name);

/* The version of libpsl fpkit was built with (*built) and runs with
 * (*running), for fpkit --version; static strings. */
void orgdomain_library_version(const char **built, const char **running);

#endif
