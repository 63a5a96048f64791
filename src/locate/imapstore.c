/* imapstore.c - IMAP mailboxes through libcurl
 *
 * libcurl makes the connection: TLS and its certificate checks, the
 * login (SASL or LOGIN, as the server offers), the password from
 * ~/.netrc (CURLOPT_NETRC) or the one asked on the terminal.  Its IMAP
 * commands are not used past that: a custom command's answer reaches the
 * program without its literals ({n} and the n bytes after), which is
 * where a server puts header fields and messages, and its own FETCH asks
 * for BODY[], which marks a message read.  So the connection is kept
 * (CURLOPT_CONNECT_ONLY) and the few commands needed are spoken here:
 * EXAMINE (the mailbox opened read-only), FETCH of the Message-ID fields
 * in chunks of sequence numbers, UID FETCH BODY.PEEK[] of a message
 * wanted, LIST when the URL names no mailbox. */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "error.h"
#include "netaddr.h"
#include "fpkit_limits.h"
#include "imapstore.h"
#include "strbuf.h"
#include "xalloc.h"

/* The URL's parts, checked (imapstore_check_url). */
struct imap_where {
	char *scheme;		/* "imap" or "imaps" */
	char *user;
	char *host;		/* as curl_url gives it ("[::1]" for IPv6) */
	char *port;		/* NULL: the scheme's */
	char *mailbox;		/* decoded; NULL: every mailbox */
};

/* One connection, logged in. */
struct imap_conn {
	const struct imap_where *w;
	const char *password;	/* asked on the terminal, or NULL (netrc) */
	CURL *c;
	curl_socket_t sock;
	char errbuf[CURL_ERROR_SIZE];
	struct strbuf in;	/* received, from in_pos on not yet read */
	size_t in_pos;
	unsigned tag;
	int timeout;		/* seconds one command may take */
	bool broken;		/* the connection failed: connect again */
	char *selected;		/* the mailbox EXAMINEd */
};

/* One message of a chunk of the listing. */
struct imap_item {
	unsigned long uid;
	unsigned long long size;	/* RFC822.SIZE */
	char *header;			/* its Message-ID field(s), NULL: none */
	size_t header_len;
};

struct imap_chunk {
	struct imap_item *items;
	size_t nr, alloc;
};

static void
where_release(struct imap_where *w)
{
	free(w->scheme);
	free(w->user);
	free(w->host);
	free(w->port);
	free(w->mailbox);
	memset(w, 0, sizeof(*w));
}

/* A mailbox name in UTF-8 (as a URL gives it, RFC 5092) in IMAP's
 * modified UTF-7 (RFC 3501 5.1.3): printable ASCII as it is, "&" as
 * "&-", the rest as UTF-16 in base64 (',' for '/') between '&' and '-'.
 * NULL when name is not UTF-8. */
static char *
mutf7_encode(const char *name)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	const unsigned char *p = (const unsigned char *)name;
	struct strbuf sb;
	unsigned long bits = 0;
	int nbits = 0;
	bool in_b64 = false;

	strbuf_init(&sb, STRBUF_NO_MAX);
	while (*p) {
		unsigned long cp;
		int extra;

		if (*p >= 0x20 && *p < 0x7f) {
			if (in_b64) {
				if (nbits)
					strbuf_addch(&sb, b64[(bits << (6 - nbits)) & 0x3f]);
				strbuf_addch(&sb, '-');
				in_b64 = false;
				bits = 0;
				nbits = 0;
			}
			strbuf_addstr(&sb, *p == '&' ? "&-" : (char[]){ (char)*p, 0 });
			p++;
			continue;
		}
		if (*p < 0x80) {
			cp = *p;
			extra = 0;	/* a control character: encoded too */
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			extra = 3;
		} else {
			goto bad;
		}
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			goto bad;
		if (!in_b64) {
			strbuf_addch(&sb, '&');
			in_b64 = true;
		}
		{
			unsigned long units[2];
			int n = 0;

			if (cp >= 0x10000) {
				cp -= 0x10000;
				units[n++] = 0xd800 | (cp >> 10);
				units[n++] = 0xdc00 | (cp & 0x3ff);
			} else {
				units[n++] = cp;
			}
			for (int i = 0; i < n; i++) {
				bits = (bits << 16) | units[i];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					strbuf_addch(&sb, b64[(bits >> nbits) & 0x3f]);
				}
				bits &= (1UL << nbits) - 1;
			}
		}
	}
	if (in_b64) {
		if (nbits)
			strbuf_addch(&sb, b64[(bits << (6 - nbits)) & 0x3f]);
		strbuf_addch(&sb, '-');
	}
	return strbuf_detach(&sb, NULL);
bad:
	strbuf_release(&sb);
	return NULL;
}

/* Split and check the URL.  Messages name the URL as given: a URL with a
 * password is refused before it is shown, and only its scheme and host
 * are named then. */
static int
where_parse(const char *url, struct imap_where *w, struct error *err)
{
	CURLU *u = curl_url();
	char *part = NULL, *path = NULL;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if (u == NULL)
		return error_set(err, EX_OSERR, "cannot set up libcurl");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		error_set(err, EX_USAGE, "--mail: not an IMAP URL libcurl can read: give "
			  "imaps://USER@HOST/MAILBOX");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		error_set(err, EX_USAGE, "--mail: the IMAP URL holds a password, which fpkit "
			  "refuses to take from the command line (others see it): put it in "
			  "~/.netrc (machine HOST login USER password ...), or leave it out to be "
			  "asked for it");
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &w->scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &w->host, 0);
	if (curl_url_get(u, CURLUPART_USER, &w->user, CURLU_URLDECODE) != CURLUE_OK ||
	    w->user[0] == '\0') {
		error_set(err, EX_USAGE, "--mail '%s': no user: give imaps://USER@HOST/MAILBOX",
			  url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &w->port, 0);
	if (strcasecmp(w->scheme, "imap") == 0 && !netaddr_host_is_loopback(w->host)) {
		error_set(err, EX_USAGE, "--mail '%s': plain imap:// to a host that is not "
			  "loopback: the password and the mail would travel unencrypted; use "
			  "imaps://", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK &&
	    path[0] == '/' && path[1]) {
		size_t n = strlen(path + 1);

		if (path[n] == '/')
			n--;	/* a trailing slash */
		for (size_t i = 1; i <= n; i++) {
			if (path[i] == ';' || (unsigned char)path[i] < 0x20 || path[i] == '"' ||
			    path[i] == '\\') {
				error_set(err, EX_USAGE, "--mail '%s': a mailbox name fpkit does not "
					  "take (';', '\"', '\\' or a control character in it): "
					  "give imaps://USER@HOST/MAILBOX, or no mailbox for all",
					  url);
				goto out;
			}
		}
		{
			char *utf8 = xstrndup(path + 1, n);

			w->mailbox = mutf7_encode(utf8);
			free(utf8);
		}
		if (w->mailbox == NULL) {
			error_set(err, EX_USAGE, "--mail '%s': the mailbox name is not UTF-8 once "
				  "its %%-escapes are decoded (RFC 5092)", url);
			goto out;
		}
	}
	rc = 0;
out:
	curl_free(part);
	curl_free(path);
	curl_url_cleanup(u);
	if (rc < 0)
		where_release(w);
	return rc;
}

int
imapstore_check_url(const char *url, struct store_spec *spec, struct error *err)
{
	struct imap_where w;

	if (where_parse(url, &w, err) < 0)
		return -1;
	where_release(&w);
	spec->kind = STORE_SPEC_IMAP;
	spec->url = xstrdup(url);
	return 0;
}

/* ---- the password ---- */

/* Whether the netrc file (libcurl's: $NETRC, else ~/.netrc) has a
 * password for this host and user: then libcurl reads it. */
static char *
netrc_path(void)
{
	const char *env = getenv("NETRC"), *home = getenv("HOME");

	if (env && *env)
		return xstrdup(env);
	return home && *home ? xasprintf("%s/.netrc", home) : NULL;
}

static bool
netrc_has(const char *path, const char *host, const char *user)
{
	FILE *f = path ? fopen(path, "re") : NULL;
	char tok[1024], machine[1024] = "", login[1024] = "";
	bool in = false, found = false, password = false;

	if (f == NULL)
		return false;
	while (!found && fscanf(f, "%1023s", tok) == 1) {
		if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
			if (in && password && (!*login || strcmp(login, user) == 0))
				found = true;
			in = strcmp(tok, "default") == 0 ||
			     (fscanf(f, "%1023s", machine) == 1 && strcasecmp(machine, host) == 0);
			login[0] = '\0';
			password = false;
		} else if (strcmp(tok, "login") == 0) {
			if (fscanf(f, "%1023s", login) != 1)
				break;
		} else if (strcmp(tok, "password") == 0) {
			if (fscanf(f, "%1023s", tok) != 1)
				break;
			password = true;
		}
	}
	if (in && password && (!*login || strcmp(login, user) == 0))
		found = true;
	fclose(f);
	return found;
}

/* Ask for the password on the terminal, without echo, when fpkit runs
 * on one (its standard input is a terminal: not under cron, a pipe, or
 * a test).  NULL (EX_NOPERM in err) otherwise. */
static char *
ask_password(const struct imap_where *w, struct error *err)
{
	int fd = isatty(STDIN_FILENO) ? open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY) : -1;
	struct termios old, quiet;
	char buf[1024], *pw = NULL;
	size_t n = 0;
	char c;

	if (fd < 0 || tcgetattr(fd, &old) < 0) {
		if (fd >= 0)
			close(fd);
		error_set(err, EX_NOPERM, "no password for %s@%s in %s and no terminal to ask "
			  "for it: add 'machine %s login %s password ...' to ~/.netrc (mode 600)",
			  w->user, w->host, getenv("NETRC") ? "$NETRC" : "~/.netrc", w->host,
			  w->user);
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	dprintf(fd, "IMAP password for %s@%s: ", w->user, w->host);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	while (n + 1 < sizeof(buf) && read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		buf[n++] = c;
	buf[n] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	pw = xstrdup(buf);
	memset(buf, 0, sizeof(buf));
	return pw;
}

/* ---- the connection ---- */

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_close(struct imap_conn *k)
{
	if (k->c)
		curl_easy_cleanup(k->c);
	k->c = NULL;
	strbuf_reset(&k->in);
	k->in_pos = 0;
	free(k->selected);
	k->selected = NULL;
}

/* The server's name as messages give it: never with a password. */
static const char *
conn_name(const struct imap_conn *k)
{
	return k->w->host;
}

/* Connect and log in, FPKIT_LIMIT_IMAP_TRIES times when the connection
 * fails; a refused login is not tried again. */
static int
conn_open(struct imap_conn *k, struct error *err)
{
	/* The user in the URL: libcurl looks its password up in the netrc
	 * file only then (not for CURLOPT_USERNAME). */
	char *user = curl_easy_escape(NULL, k->w->user, 0);
	char *url = xasprintf("%s://%s@%s%s%s/", k->w->scheme, user ? user : "", k->w->host,
			      k->w->port ? ":" : "", k->w->port ? k->w->port : "");
	char *netrc = netrc_path();
	CURLcode cc = CURLE_OK;
	int rc = -1;

	for (int t = 0; t < FPKIT_LIMIT_IMAP_TRIES; t++) {
		conn_close(k);
		if (t > 0)
			sleep((unsigned)t);	/* 1 s, then 2 s */
		k->c = curl_easy_init();
		if (k->c == NULL) {
			error_set(err, EX_OSERR, "cannot set up libcurl");
			goto out;
		}
		k->errbuf[0] = '\0';
		curl_easy_setopt(k->c, CURLOPT_URL, url);
		if (k->password)
			curl_easy_setopt(k->c, CURLOPT_PASSWORD, k->password);
		curl_easy_setopt(k->c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		if (netrc)
			curl_easy_setopt(k->c, CURLOPT_NETRC_FILE, netrc);
		curl_easy_setopt(k->c, CURLOPT_CONNECT_ONLY, 1L);
		curl_easy_setopt(k->c, CURLOPT_CONNECTTIMEOUT, (long)FPKIT_LIMIT_IMAP_CONNECT);
		curl_easy_setopt(k->c, CURLOPT_TIMEOUT, (long)k->timeout);
		curl_easy_setopt(k->c, CURLOPT_ERRORBUFFER, k->errbuf);
		curl_easy_setopt(k->c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(k->c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
		cc = curl_easy_perform(k->c);
		if (cc == CURLE_OK &&
		    curl_easy_getinfo(k->c, CURLINFO_ACTIVESOCKET, &k->sock) == CURLE_OK &&
		    k->sock != CURL_SOCKET_BAD) {
			k->broken = false;
			rc = 0;
			goto out;
		}
		if (cc == CURLE_LOGIN_DENIED || cc == CURLE_PEER_FAILED_VERIFICATION ||
		    cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_UNSUPPORTED_PROTOCOL)
			break;
	}
	if (cc == CURLE_LOGIN_DENIED)
		error_set(err, EX_NOPERM, "the IMAP server %s refused the login of %s: check the "
			  "password (~/.netrc, or the one typed)", conn_name(k), k->w->user);
	else
		error_set(err, EX_UNAVAILABLE, "cannot reach the IMAP server %s: %s%s", conn_name(k),
			  k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc),
			  cc == CURLE_PEER_FAILED_VERIFICATION ? " (its certificate is not "
			  "trusted)" : " (tried 3 times)");
	conn_close(k);
out:
	curl_free(user);
	free(url);
	free(netrc);
	return rc;
}

static int
conn_fail(struct imap_conn *k, struct error *err, int status, const char *what)
{
	k->broken = true;
	return error_set(err, status, "IMAP server %s: %s", conn_name(k), what);
}

/* Wait until the socket is ready, up to the deadline. */
static int
conn_wait(struct imap_conn *k, short events, long deadline, struct error *err)
{
	struct pollfd p = { .fd = (int)k->sock, .events = events };
	long left = deadline - now_ms();
	int n;

	if (left <= 0)
		goto late;
	do
		n = poll(&p, 1, (int)left);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return 0;
late:
	k->broken = true;
	return error_set(err, EX_TEMPFAIL, "IMAP server %s did not answer within %d seconds: "
			 "try again later", conn_name(k), k->timeout);
}

static int
conn_send(struct imap_conn *k, const char *buf, size_t len, long deadline, struct error *err)
{
	while (len > 0) {
		size_t n = 0;
		CURLcode cc = curl_easy_send(k->c, buf, len, &n);

		if (cc == CURLE_AGAIN) {
			if (conn_wait(k, POLLOUT, deadline, err) < 0)
				return -1;
			continue;
		}
		if (cc != CURLE_OK)
			return conn_fail(k, err, EX_UNAVAILABLE, "the connection failed");
		buf += n;
		len -= n;
	}
	return 0;
}

/* Have at least 'want' unread bytes in k->in. */
static int
conn_fill(struct imap_conn *k, size_t want, long deadline, struct error *err)
{
	char buf[65536];

	while (k->in.len - k->in_pos < want) {
		size_t n = 0;
		CURLcode cc;

		if (k->in_pos > 0 && k->in_pos == k->in.len) {
			strbuf_reset(&k->in);
			k->in_pos = 0;
		} else if (k->in_pos > 0) {
			/* What was read goes: the bytes of one answer do not
			 * pile up behind those already taken. */
			memmove(k->in.buf, k->in.buf + k->in_pos, k->in.len - k->in_pos);
			k->in.len -= k->in_pos;
			k->in.buf[k->in.len] = '\0';
			k->in_pos = 0;
		}
		cc = curl_easy_recv(k->c, buf, sizeof(buf), &n);
		if (cc == CURLE_AGAIN) {
			if (conn_wait(k, POLLIN, deadline, err) < 0)
				return -1;
			continue;
		}
		if (cc != CURLE_OK || n == 0)
			return conn_fail(k, err, EX_UNAVAILABLE, "the connection was closed "
					 "in the middle of an answer");
		if (strbuf_add(&k->in, buf, n) < 0)
			return conn_fail(k, err, EX_PROTOCOL, "an answer line is too long");
	}
	return 0;
}

/* One line (without CRLF) into line, borrowed until the next read. */
static int
conn_line(struct imap_conn *k, const char **line, size_t *len, long deadline, struct error *err)
{
	for (;;) {
		const char *p = k->in.buf + k->in_pos;
		const char *nl = k->in.len > k->in_pos ? memchr(p, '\n', k->in.len - k->in_pos) : NULL;

		if (nl) {
			*line = p;
			*len = (size_t)(nl - p);
			if (*len && p[*len - 1] == '\r')
				(*len)--;
			k->in_pos += (size_t)(nl + 1 - p);
			return 0;
		}
		if (conn_fill(k, k->in.len - k->in_pos + 1, deadline, err) < 0)
			return -1;
	}
}

/* An untagged answer, its literals' bytes in 'lit' (the first literal;
 * later ones are read and dropped), its text with each literal's place
 * left as "{}" in 'text'. */
typedef int (*untagged_fn)(void *ctx, const char *text, size_t len, const char *lit,
			   size_t lit_len, bool has_lit, struct error *err);

/* Send "TAG command" and read the answers up to the tagged one: each
 * untagged one to fn.  'lit_max' caps a literal: past it, the
 * connection is dropped (EX_DATAERR).  0 on OK; a NO or BAD answer is
 * EX_UNAVAILABLE with the server's text. */
static int
conn_command(struct imap_conn *k, const char *command, size_t lit_max, untagged_fn fn, void *ctx,
	     struct error *err)
{
	long deadline = now_ms() + (long)k->timeout * 1000;
	struct strbuf text, lit;
	char tag[16], *cmd;
	size_t tag_len, total = 0;
	int rc = -1;

	strbuf_init(&text, FPKIT_LIMIT_IMAP_ANSWER);
	strbuf_init(&lit, lit_max);
	snprintf(tag, sizeof(tag), "F%u", ++k->tag);
	tag_len = strlen(tag);
	cmd = xasprintf("%s %s\r\n", tag, command);
	if (conn_send(k, cmd, strlen(cmd), deadline, err) < 0)
		goto out;
	for (;;) {
		const char *line;
		size_t len;
		bool has_lit = false;

		if (conn_line(k, &line, &len, deadline, err) < 0)
			goto out;
		if (len > tag_len && memcmp(line, tag, tag_len) == 0 && line[tag_len] == ' ') {
			const char *st = line + tag_len + 1;

			if (len - tag_len - 1 >= 2 && strncasecmp(st, "OK", 2) == 0) {
				rc = 0;
			} else {
				char *said = xstrndup(st, len - tag_len - 1 > 200 ? 200 : len - tag_len - 1);

				for (char *p = said; *p; p++)
					if ((unsigned char)*p < 0x20 || *p == 0x7f)
						*p = '?';
				error_set(err, EX_UNAVAILABLE, "IMAP server %s answered '%s' to %s",
					  conn_name(k), said, command);
				free(said);
			}
			goto out;
		}
		strbuf_reset(&text);
		strbuf_reset(&lit);
		/* A line that ends in {n}: n bytes follow, then the rest. */
		for (;;) {
			unsigned long long n = 0;
			size_t i = len;
			bool is_lit = false;

			if (len >= 3 && line[len - 1] == '}') {
				i = len - 1;
				if (i > 0 && line[i - 1] == '+')
					i--;	/* LITERAL+ */
				while (i > 0 && isdigit((unsigned char)line[i - 1]))
					i--;
				is_lit = i > 0 && line[i - 1] == '{' && i < len - 1;
				if (is_lit)
					n = strtoull(line + i, NULL, 10);
			}
			if (!is_lit) {
				if (strbuf_add(&text, line, len) < 0)
					goto toolong;
				break;
			}
			if (strbuf_add(&text, line, i - 1) < 0 || strbuf_addstr(&text, "{}") < 0)
				goto toolong;
			total += n;
			if (total > FPKIT_LIMIT_IMAP_ANSWER && lit_max <= FPKIT_LIMIT_IMAP_ANSWER)
				goto toolong;
			if (!has_lit && n > lit_max) {
				k->broken = true;
				error_set(err, EX_DATAERR, "a message of %llu bytes on %s: larger than "
					  "the limit of %zu bytes", n, conn_name(k), lit_max);
				goto out;
			}
			if (conn_fill(k, (size_t)n, deadline, err) < 0)
				goto out;
			if (!has_lit)
				strbuf_add(&lit, k->in.buf + k->in_pos, (size_t)n);
			has_lit = true;
			k->in_pos += (size_t)n;
			if (conn_line(k, &line, &len, deadline, err) < 0)
				goto out;
		}
		if (fn && fn(ctx, text.buf ? text.buf : "", text.len, lit.buf, lit.len, has_lit, err) < 0)
			goto out;
	}
toolong:
	conn_fail(k, err, EX_PROTOCOL, "an answer larger than the limit");
out:
	free(cmd);
	strbuf_release(&text);
	strbuf_release(&lit);
	return rc;
}

/* ---- mailboxes ---- */

struct examine_info {
	unsigned long exists;
	unsigned long uidvalidity;
};

static int
on_examine(void *ctx, const char *text, size_t len, const char *lit, size_t lit_len,
	   bool has_lit, struct error *err)
{
	struct examine_info *x = ctx;
	const char *p;
	char *s = xstrndup(text, len);

	(void)lit;
	(void)lit_len;
	(void)has_lit;
	(void)err;
	if ((p = strstr(s, "[UIDVALIDITY ")) != NULL)
		x->uidvalidity = strtoul(p + 13, NULL, 10);
	else if (len > 2 && isdigit((unsigned char)s[2]) && strstr(s, " EXISTS"))
		x->exists = strtoul(s + 2, NULL, 10);
	free(s);
	return 0;
}

/* A mailbox name as an IMAP quoted string (the URL's check kept '"' and
 * '\' out; LIST's names are quoted back the same way). */
static char *
quoted(const char *name)
{
	struct strbuf sb;

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addch(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb, NULL);
}

static int
conn_examine(struct imap_conn *k, const char *mailbox, struct examine_info *x, struct error *err)
{
	char *q = quoted(mailbox), *cmd = xasprintf("EXAMINE %s", q);
	int rc;

	memset(x, 0, sizeof(*x));
	rc = conn_command(k, cmd, 0, on_examine, x, err);
	if (rc == 0) {
		free(k->selected);
		k->selected = xstrdup(mailbox);
	}
	free(cmd);
	free(q);
	return rc;
}

struct list_ctx {
	char **names;
	size_t nr, alloc;
	bool over;
};

/* * LIST (\HasNoChildren) "/" "INBOX", or {n} and the name. */
static int
on_list(void *ctx, const char *text, size_t len, const char *lit, size_t lit_len, bool has_lit,
	struct error *err)
{
	struct list_ctx *l = ctx;
	const char *end = text + len, *p, *close;
	char *name;

	(void)err;
	if (len < 7 || strncasecmp(text, "* LIST ", 7) != 0)
		return 0;
	close = memchr(text, ')', len);
	if (close == NULL)
		return 0;
	{
		char *flags = xstrndup(text, (size_t)(close - text));
		bool noselect = strcasestr(flags, "\\Noselect") || strcasestr(flags, "\\NonExistent");

		free(flags);
		if (noselect)
			return 0;
	}
	/* after the flags: the delimiter (quoted or NIL), then the name */
	p = close + 1;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '"') {
		p++;
		while (p < end && *p != '"')
			p += *p == '\\' && p + 1 < end ? 2 : 1;
		if (p >= end)
			return 0;	/* the delimiter's quote never closes */
		p++;
	} else {
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (has_lit && end - p == 2 && memcmp(p, "{}", 2) == 0) {
		name = xstrndup(lit, lit_len);
	} else if (p < end && *p == '"') {
		struct strbuf sb;

		strbuf_init(&sb, STRBUF_NO_MAX);
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			strbuf_addch(&sb, *p);
		}
		name = strbuf_detach(&sb, NULL);
	} else {
		name = xstrndup(p, (size_t)(end - p));
	}
	if (name[0] == '\0' || strpbrk(name, "\r\n") || l->nr == FPKIT_LIMIT_IMAP_FOLDERS) {
		l->over |= l->nr == FPKIT_LIMIT_IMAP_FOLDERS;
		free(name);
		return 0;
	}
	l->names = xgrow(l->names, l->nr + 1, &l->alloc, sizeof(*l->names));
	l->names[l->nr++] = name;
	return 0;
}

/* ---- the listing of Message-IDs ---- */

static void
chunk_reset(struct imap_chunk *c)
{
	for (size_t i = 0; i < c->nr; i++)
		free(c->items[i].header);
	c->nr = 0;
}

/* * 12 FETCH (UID 40 RFC822.SIZE 2048 BODY[HEADER.FIELDS (MESSAGE-ID)] {}) */
static int
on_fetch_ids(void *ctx, const char *text, size_t len, const char *lit, size_t lit_len,
	     bool has_lit, struct error *err)
{
	struct imap_chunk *c = ctx;
	char *s = xstrndup(text, len);
	const char *p;
	struct imap_item *it;

	(void)err;
	if (strstr(s, " FETCH (") == NULL || (p = strstr(s, "UID ")) == NULL) {
		free(s);
		return 0;
	}
	c->items = xgrow(c->items, c->nr + 1, &c->alloc, sizeof(*c->items));
	it = &c->items[c->nr++];
	memset(it, 0, sizeof(*it));
	it->uid = strtoul(p + 4, NULL, 10);
	if ((p = strstr(s, "RFC822.SIZE ")) != NULL)
		it->size = strtoull(p + 12, NULL, 10);
	if (has_lit && lit_len) {
		it->header = xstrndup(lit, lit_len);
		it->header_len = lit_len;
	}
	free(s);
	return 0;
}

/* ---- fetching a message ---- */

struct imap_ref {
	struct imap_conn *k;
	const char *mailbox;
	unsigned long uidvalidity;
	unsigned long uid;
	unsigned long long size;
};

struct body_ctx {
	struct strbuf *out;
	bool got;
	bool over;
};

static int
on_body(void *ctx, const char *text, size_t len, const char *lit, size_t lit_len, bool has_lit,
	struct error *err)
{
	struct body_ctx *b = ctx;

	(void)err;
	if (!has_lit || b->got || !memmem(text, len, "BODY[]", 6))
		return 0;
	b->got = true;
	if (strbuf_add(b->out, lit, lit_len) < 0)
		b->over = true;
	return 0;
}

/* Be in the mailbox of 'ref' again after a lost connection, with the
 * same UIDVALIDITY (else the UIDs name other messages). */
static int
conn_back(struct imap_conn *k, const char *mailbox, unsigned long uidvalidity, struct error *err)
{
	struct examine_info x;

	if (!k->broken && k->selected && strcmp(k->selected, mailbox) == 0)
		return 0;
	if (k->broken && conn_open(k, err) < 0)
		return -1;
	if (conn_examine(k, mailbox, &x, err) < 0)
		return -1;
	if (x.uidvalidity != uidvalidity)
		return error_set(err, EX_TEMPFAIL, "IMAP server %s: mailbox '%s' changed its "
				 "UIDVALIDITY during the search: run fpkit again", conn_name(k),
				 mailbox);
	return 0;
}

static int
fetch_message(const struct store_msg *msg, struct strbuf *out, struct error *err)
{
	const struct imap_ref *r = msg->fetch_data;
	struct imap_conn *k = r->k;
	char *cmd = xasprintf("UID FETCH %lu (BODY.PEEK[])", r->uid);
	int rc = -1;

	if (out->max != STRBUF_NO_MAX && r->size > out->max) {
		error_set(err, EX_DATAERR, "%s is %llu bytes, larger than the limit of %zu "
			  "bytes", msg->path, r->size, out->max);
		goto out;
	}
	for (int t = 0; t < FPKIT_LIMIT_IMAP_TRIES; t++) {
		struct body_ctx b = { out, false, false };

		strbuf_reset(out);
		if (conn_back(k, r->mailbox, r->uidvalidity, err) < 0) {
			if (k->broken)
				continue;
			goto out;
		}
		rc = conn_command(k, cmd, out->max, on_body, &b, err);
		if (rc == 0 && b.over) {
			rc = error_set(err, EX_DATAERR, "%s is larger than the limit of %zu bytes",
				       msg->path, out->max);
		} else if (rc == 0 && !b.got) {
			rc = error_set(err, EX_NOINPUT, "%s is gone from the server (expunged "
				       "since the search?)", msg->path);
		}
		if (rc == 0 || !k->broken || err->status == EX_DATAERR || err->status == EX_TEMPFAIL)
			break;
	}
out:
	free(cmd);
	return rc;
}

/* The message's RFC 5092 URL: the mailbox with %-escapes. */
static char *
message_url(const struct imap_where *w, const char *mailbox, unsigned long uidvalidity,
	    unsigned long uid)
{
	struct strbuf sb;
	char *user = curl_easy_escape(NULL, w->user, 0);

	strbuf_init(&sb, STRBUF_NO_MAX);
	strbuf_addf(&sb, "%s://%s@%s%s%s/", w->scheme, user ? user : "", w->host,
		    w->port ? ":" : "", w->port ? w->port : "");
	for (const unsigned char *p = (const unsigned char *)mailbox; *p; p++) {
		if (isalnum(*p) || strchr("-._~/!$'()*+,=:@&", *p))
			strbuf_addch(&sb, *p);
		else
			strbuf_addf(&sb, "%%%02X", *p);
	}
	strbuf_addf(&sb, ";UIDVALIDITY=%lu/;UID=%lu", uidvalidity, uid);
	curl_free(user);
	return strbuf_detach(&sb, NULL);
}

/* Every message of one mailbox. */
static int
scan_mailbox(struct imap_conn *k, const char *mailbox, const struct store_options *opt,
	     store_msg_fn fn, void *data, struct error *err)
{
	struct examine_info x;
	struct imap_chunk c = { 0 };
	struct strbuf head;
	int rc = -1;

	strbuf_init(&head, opt->max_header);
	if (conn_examine(k, mailbox, &x, err) < 0)
		goto out;
	if (x.exists > FPKIT_LIMIT_IMAP_MESSAGES) {
		error_set(err, EX_PROTOCOL, "IMAP server %s: mailbox '%s' says it holds %lu "
			  "messages, more than the %d fpkit searches in one mailbox",
			  conn_name(k), mailbox, x.exists, FPKIT_LIMIT_IMAP_MESSAGES);
		goto out;
	}
	for (unsigned long lo = 1; lo <= x.exists; lo += FPKIT_LIMIT_IMAP_CHUNK) {
		unsigned long hi = x.exists - lo >= FPKIT_LIMIT_IMAP_CHUNK ?
				   lo + FPKIT_LIMIT_IMAP_CHUNK - 1 : x.exists;
		char *cmd = xasprintf("FETCH %lu:%lu (UID RFC822.SIZE "
				      "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", lo, hi);
		int got = -1;

		/* A connection lost in the middle of a chunk: the chunk again. */
		for (int t = 0; t < FPKIT_LIMIT_IMAP_TRIES && got < 0; t++) {
			chunk_reset(&c);
			if (t > 0 && conn_back(k, mailbox, x.uidvalidity, err) < 0) {
				if (k->broken)
					continue;
				break;
			}
			got = conn_command(k, cmd, FPKIT_LIMIT_IMAP_ANSWER, on_fetch_ids, &c, err);
			/* a server too slow is not asked again */
			if (got < 0 && (!k->broken || err->status == EX_TEMPFAIL))
				break;
		}
		free(cmd);
		if (got < 0)
			goto out;
		for (size_t i = 0; i < c.nr; i++) {
			struct imap_item *it = &c.items[i];
			struct imap_ref ref = { k, mailbox, x.uidvalidity, it->uid, it->size };
			struct store_msg msg;
			char *url;

			if (it->header == NULL)
				continue;	/* no Message-ID field */
			strbuf_reset(&head);
			strbuf_add(&head, it->header, it->header_len);
			url = message_url(k->w, mailbox, x.uidvalidity, it->uid);
			memset(&msg, 0, sizeof(msg));
			msg.path = url;
			msg.format = STORE_IMAP;
			msg.length = -1;
			msg.header = head.buf ? head.buf : "";
			msg.header_len = head.len;
			msg.header_complete = true;
			msg.fd = -1;
			msg.fetch = fetch_message;
			msg.fetch_data = &ref;
			if (opt->want == NULL || opt->want(&msg, data))
				rc = fn(&msg, data, err);
			else
				rc = 0;
			free(url);
			if (rc < 0)
				goto out;
		}
	}
	rc = 0;
out:
	chunk_reset(&c);
	free(c.items);
	strbuf_release(&head);
	return rc;
}

static int
imap_timeout(void)
{
	const char *env = getenv("FPKIT_IMAP_TIMEOUT");
	long v = env ? strtol(env, NULL, 10) : 0;

	return v > 0 && v < FPKIT_LIMIT_IMAP_COMMAND ? (int)v : FPKIT_LIMIT_IMAP_COMMAND;
}

int
imapstore_scan(const struct store_spec *spec, const struct store_options *opt,
	       store_msg_fn fn, void *data, struct error *err)
{
	struct imap_where w;
	struct imap_conn k;
	struct list_ctx l = { 0 };
	char *netrc = NULL, *password = NULL;
	int rc = -1;

	if (where_parse(spec->url, &w, err) < 0)
		return -1;
	memset(&k, 0, sizeof(k));
	k.w = &w;
	k.timeout = imap_timeout();
	/* An answer of Message-IDs, or one message whole (a sample's
	 * limit) with its FETCH line around it. */
	strbuf_init(&k.in, FPKIT_LIMIT_SAMPLE + FPKIT_LIMIT_IMAP_ANSWER);
	netrc = netrc_path();
	if (!netrc_has(netrc, w.host, w.user)) {
		password = ask_password(&w, err);
		if (password == NULL)
			goto out;
		k.password = password;
	}
	if (conn_open(&k, err) < 0)
		goto out;
	if (w.mailbox) {
		l.names = xmalloc(sizeof(*l.names));
		l.names[l.nr++] = xstrdup(w.mailbox);
	} else {
		if (conn_command(&k, "LIST \"\" \"*\"", FPKIT_LIMIT_IMAP_ANSWER, on_list, &l, err) < 0)
			goto out;
		if (l.over)
			diag_add(opt->diag, "%s: more than %d mailboxes: only the first %d searched "
				 "(name one in the URL to search it)", spec->url,
				 FPKIT_LIMIT_IMAP_FOLDERS, FPKIT_LIMIT_IMAP_FOLDERS);
	}
	for (size_t i = 0; i < l.nr; i++) {
		if (k.broken && conn_open(&k, err) < 0)
			goto out;
		if (scan_mailbox(&k, l.names[i], opt, fn, data, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (k.c && !k.broken) {
		struct error ignored = ERROR_INIT;

		conn_command(&k, "LOGOUT", 0, NULL, NULL, &ignored);
	}
	conn_close(&k);
	strbuf_release(&k.in);
	for (size_t i = 0; i < l.nr; i++)
		free(l.names[i]);
	free(l.names);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	free(netrc);
	where_release(&w);
	return rc;
}
