/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c -- pmrd.conf entry points: load a file or a string, free, look up
 *
 * A file is read whole and parsed exactly like pmrd_conf_parse_string(), so
 * that the unit tests and fuzzers run the code the daemon runs.  The file
 * is small (at most PMRD_CONF_FILE_MAX), so reading it whole costs nothing.
 *
 * A file without any [region] is valid: the daemon then starts empty and
 * serves nothing until it is reconfigured, which is what a freshly
 * installed package wants.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf_parser.h"
#include "conf_private.h"

#define DEFAULT_MAX_CLIENTS	       64
#define DEFAULT_MAX_REGIONS_PER_CLIENT 16
#define DEFAULT_MAX_OUTSTANDING	       16
#define DEFAULT_MAX_HANDLES	       1024
#define DEFAULT_MAX_CLIENT_MEMORY      (64ull << 20)
#define DEFAULT_BUSY_POLL_US	       1000

/* pmrd_conf_free -- free a conf and NULL the caller's pointer */
void pmrd_conf_free(struct pmrd_conf **conf)
{
	struct pmrd_conf *c;

	if (!conf || !*conf)
		return;
	c = *conf;
	for (size_t i = 0; i < c->n_regions; i++)
		conf_region_free_fields(&c->regions[i]);
	free(c->regions);
	free(c->admin_socket);
	free(c->state_dir);
	free(c->listen_host);
	free(c->file);
	free(c);
	*conf = NULL;
}

/* conf_new -- an empty conf holding the defaults, named NAME */
static int conf_new(const char *name, struct pmrd_conf **ret)
{
	struct pmrd_conf *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->file = strdup(name);
	if (!c->file)
		goto out_free_conf;
	c->listen_port = PMRD_DEFAULT_PORT;
	c->log_level = LOG_INFO;
	c->limits.max_clients = DEFAULT_MAX_CLIENTS;
	c->limits.max_regions_per_client = DEFAULT_MAX_REGIONS_PER_CLIENT;
	c->limits.max_outstanding = DEFAULT_MAX_OUTSTANDING;
	c->limits.max_handles = DEFAULT_MAX_HANDLES;
	c->limits.max_msg = PMRD_MSG_MAX;
	c->limits.max_client_memory = DEFAULT_MAX_CLIENT_MEMORY;
	c->limits.busy_poll_us = DEFAULT_BUSY_POLL_US;
	c->limits.accept_timeout_ms = PMRD_ACCEPT_TIMEOUT_MS_DEFAULT;
	c->keys = PMRD_CONF_KEYS_AUTO;
	*ret = c;
	return 0;

out_free_conf:
	free(c);
	return -ENOMEM;
}

/* conf_parse_text -- parse LEN bytes of TEXT (may hold NULs) named NAME */
static int conf_parse_text(const char *text, size_t len, const char *name,
			   pmrd_conf_report_fn report, void *arg,
			   struct pmrd_conf **ret)
{
	struct conf_parser p = {
		.file = name,
		.text = text,
		.len = len,
		.report = report,
		.arg = arg,
	};
	int rc;

	rc = conf_new(name, &p.conf);
	if (rc)
		return rc;
	rc = conf_parser_run(&p);
	if (rc)
		goto out_free_conf;
	if (!p.conf->admin_socket) {
		p.conf->admin_socket = strdup(PMRD_DEFAULT_ADMIN_SOCKET);
		if (!p.conf->admin_socket) {
			rc = -ENOMEM;
			goto out_free_conf;
		}
	}
	if (!p.conf->state_dir) {
		p.conf->state_dir = strdup(PMRD_DEFAULT_STATE_DIR);
		if (!p.conf->state_dir) {
			rc = -ENOMEM;
			goto out_free_conf;
		}
	}
	conf_region_free_fields(&p.scratch);
	free(p.region_keys);
	*ret = p.conf;
	return 0;

out_free_conf:
	conf_region_free_fields(&p.scratch);
	free(p.region_keys);
	pmrd_conf_free(&p.conf);
	return rc;
}

/* pmrd_conf_parse_string -- parse a NUL-terminated TEXT named NAME */
int pmrd_conf_parse_string(const char *text, const char *name,
			   pmrd_conf_report_fn report, void *arg,
			   struct pmrd_conf **ret)
{
	if (!text || !ret)
		return -EINVAL;
	return conf_parse_text(text, strlen(text), name ? name : "<string>",
			       report, arg, ret);
}

/* conf_read_fd -- read all of FD (at most PMRD_CONF_FILE_MAX bytes) */
static int conf_read_fd(int fd, char **ret_buf, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	ssize_t n;

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > PMRD_CONF_FILE_MAX)
				goto out_too_big;
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				goto out_nomem;
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out_errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > PMRD_CONF_FILE_MAX)
		goto out_too_big;
	*ret_buf = buf;
	*ret_len = len;
	return 0;

out_errno:
	n = -errno;
	free(buf);
	return (int)n;
out_too_big:
	free(buf);
	return -EFBIG;
out_nomem:
	free(buf);
	return -ENOMEM;
}

/* pmrd_conf_load -- read FILE and parse it; read errors are reported too */
int pmrd_conf_load(const char *file, pmrd_conf_report_fn report, void *arg,
		   struct pmrd_conf **ret)
{
	struct conf_parser p = { .file = file, .report = report, .arg = arg };
	size_t len = 0;
	char *text = NULL;
	int fd, rc;

	if (!file || !ret)
		return -EINVAL;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out_report;
	}
	rc = conf_read_fd(fd, &text, &len);
	close(fd);
	if (rc)
		goto out_report;
	rc = conf_parse_text(text, len, file, report, arg, ret);
	free(text);
	return rc;

out_report:
	if (rc == -EFBIG)
		conf_error(&p, 0, "cannot read: larger than %d bytes",
			   PMRD_CONF_FILE_MAX);
	else if (rc != -ENOMEM)
		conf_error(&p, 0, "cannot read: %s", strerror(-rc));
	return rc;
}

/* pmrd_conf_find_region -- the region called NAME, NULL when absent */
const struct pmrd_region_conf *pmrd_conf_find_region(const struct pmrd_conf *c,
						     const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_regions; i++)
		if (!strcmp(c->regions[i].name, name))
			return &c->regions[i];
	return NULL;
}
