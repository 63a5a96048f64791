/* s3conf.c - the settings of an S3-compatible store, as the AWS tools
 * read them (the environment wins over the files, a profile's section
 * is [NAME] in the credentials file and [profile NAME] in the config
 * file, [default] in both for the default one) */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "ovh.h"
#include "s3conf.h"
#include "xalloc.h"

bool
s3url_is(const char *arg)
{
	return arg && strncmp(arg, "s3://", 5) == 0;
}

bool
s3url_key_ok(const char *key)
{
	size_t n = strlen(key);
	const char *p = key;

	if (n == 0 || n > 1024 || key[0] == '/' ||
	    strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~/-") != n)
		return false;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 0 && p[0] == '/')
			return false;	/* "//" */
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

static bool
bucket_ok(const char *b)
{
	size_t n = strlen(b);

	if (n < 3 || n > 63 || strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n)
		return false;
	return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

int
s3url_parse(struct s3url *u, const char *arg, struct error *err)
{
	const char *rest = arg + 5, *slash;
	size_t plen;

	memset(u, 0, sizeof(*u));
	if (!s3url_is(arg))
		return error_set(err, EX_USAGE, "'%s' is not an s3:// URL", arg);
	slash = strchr(rest, '/');
	u->bucket = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	u->prefix = xstrdup(slash ? slash + 1 : "");
	plen = strlen(u->prefix);
	while (plen && u->prefix[plen - 1] == '/')
		u->prefix[--plen] = '\0';
	if (!bucket_ok(u->bucket)) {
		error_set(err, EX_USAGE, "'%s': the bucket must be 3 to 63 characters of a-z, "
			  "0-9, '.' and '-' (s3://BUCKET/PREFIX)", arg);
		goto bad;
	}
	if (plen && !s3url_key_ok(u->prefix)) {
		error_set(err, EX_USAGE, "'%s': the prefix may hold only A-Z, a-z, 0-9, '.', '_', "
			  "'~', '-' and single '/' (no '.' or '..' part)", arg);
		goto bad;
	}
	return 0;
bad:
	s3url_release(u);
	return -1;
}

void
s3url_release(struct s3url *u)
{
	free(u->bucket);
	free(u->prefix);
	memset(u, 0, sizeof(*u));
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Take the keys of section 'section' of an INI file as the AWS tools
 * write it; a key already set (by the environment) is kept.  Indented
 * lines belong to the key above them ("s3 =\n  addressing_style =
 * path"): they are read as keys of their own.  A missing file is no
 * error. */
static int
read_ini(const char *path, const char *section, const char *const *names, char **values[],
	 size_t nr, struct error *err)
{
	FILE *f = fopen(path, "r");
	char line[16384];	/* a session token is long; longer is refused */
	bool in = false;

	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return error_set(err, EX_CONFIG, "cannot read '%s': %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq;

		if (strchr(line, '\n') == NULL && !feof(f)) {
			fclose(f);
			return error_set(err, EX_CONFIG, "'%s': a line longer than %zu bytes",
					 path, sizeof(line) - 2);
		}
		s = trim(line);

		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end)
				*end = '\0';
			in = strcmp(trim(s + 1), section) == 0;
			continue;
		}
		if (!in || (eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		s = trim(s);
		for (size_t i = 0; i < nr; i++) {
			if (strcmp(s, names[i]) == 0 && *values[i] == NULL) {
				char *v = trim(eq + 1);

				if (*v)
					*values[i] = xstrdup(v);
			}
		}
	}
	fclose(f);
	return 0;
}

/* Whether the endpoint's host is an IP address or localhost. */
static bool
endpoint_is_address(const char *url)
{
	const char *host = strstr(url, "//");
	size_t n;

	if (host == NULL)
		return false;
	host += 2;
	if (*host == '[')
		return true;
	n = strcspn(host, ":/");
	if (n == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	return n && strspn(host, "0123456789.") == n;
}

static char *
env_dup(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? xstrdup(v) : NULL;
}

static char *
aws_file(const char *env, const char *name)
{
	const char *v = getenv(env), *home = getenv("HOME");

	if (v && *v)
		return xstrdup(v);
	return xasprintf("%s/.aws/%s", home && *home ? home : ".", name);
}

int
s3conf_load(struct s3conf *c, struct error *err)
{
	char *cred = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	char *conf = aws_file("AWS_CONFIG_FILE", "config");
	char *section = NULL, *addressing = env_dup("FPKIT_S3_ADDRESSING"), *style = NULL;
	bool from_env = false;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->profile = env_dup("AWS_PROFILE");
	if (c->profile == NULL)
		c->profile = xstrdup("default");
	c->access_key = env_dup("AWS_ACCESS_KEY_ID");
	c->secret_key = env_dup("AWS_SECRET_ACCESS_KEY");
	/* The keys of the environment go together: a session token of a
	 * file is not mixed with them. */
	if (c->access_key && c->secret_key) {
		from_env = true;
		c->session_token = env_dup("AWS_SESSION_TOKEN");
	}
	c->region = env_dup("AWS_REGION");
	if (c->region == NULL)
		c->region = env_dup("AWS_DEFAULT_REGION");
	c->endpoint = env_dup("AWS_ENDPOINT_URL");
	if (!from_env) {
		static const char *const names[] = { "aws_access_key_id", "aws_secret_access_key",
						     "aws_session_token" };
		char **values[] = { &c->access_key, &c->secret_key, &c->session_token };

		free(c->access_key);
		free(c->secret_key);
		c->access_key = c->secret_key = NULL;
		if (read_ini(cred, c->profile, names, values, 3, err) < 0)
			goto out;
	}
	{
		static const char *const names[] = { "region", "endpoint_url", "s3_addressing",
						     "addressing_style", "aws_access_key_id",
						     "aws_secret_access_key", "aws_session_token" };
		char **values[] = { &c->region, &c->endpoint, &addressing, &style,
				    &c->access_key, &c->secret_key, &c->session_token };

		section = strcmp(c->profile, "default") == 0 ? xstrdup("default")
							      : xasprintf("profile %s", c->profile);
		/* The config file may hold keys too (the AWS tools read them
		 * there after the credentials file). */
		if (read_ini(conf, section, names, values, from_env ? 4 : 7, err) < 0)
			goto out;
	}
	if (c->access_key == NULL || c->secret_key == NULL) {
		error_set(err, EX_CONFIG, "no S3 credentials for profile '%s': set "
			  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them in '%s' "
			  "(aws_access_key_id, aws_secret_access_key)", c->profile, cred);
		goto out;
	}
	if (c->region == NULL) {
		error_set(err, EX_CONFIG, "no S3 region for profile '%s': set AWS_REGION, or "
			  "'region' in '%s' (OVHcloud: gra, sbg, de, uk, ...)", c->profile, conf);
		goto out;
	}
	if (strspn(c->region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->region)) {
		error_set(err, EX_CONFIG, "S3 region '%s' is not a region name such as gra or "
			  "eu-west-3", c->region);
		goto out;
	}
	if (!addressing)
		addressing = style ? xstrdup(style) : NULL;
	if (addressing && strcmp(addressing, "path") == 0)
		c->path_style = true;
	else if (addressing && strcmp(addressing, "virtual") != 0 &&
		 strcmp(addressing, "auto") != 0) {
		error_set(err, EX_CONFIG, "s3_addressing '%s' is not 'path' or 'virtual'",
			  addressing);
		goto out;
	}
	/* A bucket cannot be a name under an address: an endpoint given by
	 * its IP address (or localhost) is reached path-style, as the AWS
	 * SDKs do, unless virtual-host style is asked for by name. */
	if (!c->path_style && !(addressing && strcmp(addressing, "virtual") == 0) &&
	    c->endpoint && endpoint_is_address(c->endpoint))
		c->path_style = true;
	if (c->endpoint == NULL) {
		c->endpoint = xasprintf("https://s3.%s.amazonaws.com", c->region);
	} else {
		size_t n = strlen(c->endpoint);

		while (n && c->endpoint[n - 1] == '/')
			c->endpoint[--n] = '\0';
		if (ovh_check_endpoint(c->endpoint, "the S3 endpoint", false, &c->plain_http,
				       err) < 0)
			goto out;
		if (strncmp(c->endpoint, "http://", 7) == 0)
			c->plain_http = true;
		if (strchr(strstr(c->endpoint, "//") + 2, '/') ||
		    strpbrk(c->endpoint, "?#")) {
			error_set(err, EX_CONFIG, "the S3 endpoint '%s' must be a scheme and a host "
				  "(and a port) alone, such as https://s3.gra.io.cloud.ovh.net",
				  c->endpoint);
			goto out;
		}
	}
	rc = 0;
out:
	free(cred);
	free(conf);
	free(section);
	free(addressing);
	free(style);
	if (rc < 0)
		s3conf_release(c);
	return rc;
}

void
s3conf_release(struct s3conf *c)
{
	free(c->profile);
	free(c->access_key);
	if (c->secret_key)
		memset(c->secret_key, 0, strlen(c->secret_key));
	free(c->secret_key);
	free(c->session_token);
	free(c->region);
	free(c->endpoint);
	memset(c, 0, sizeof(*c));
}
