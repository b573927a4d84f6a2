/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c -- the pmrd executable: command line, config, regions
 *
 * Modes: --check-config (validate and exit), --prepare (open every region,
 * report, close, exit: for ExecStartPre and operators), and the default,
 * which opens every region and then serves them (cmd_run hands them to
 * pmrd_server_run, daemon/server.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"
#include "pmrd_conf.h"
#include "region_open.h"
#include "server.h"

#define PMRD_DEFAULT_CONFIG "/etc/pmrd/pmrd.conf"

enum mode {
	MODE_RUN,
	MODE_CHECK_CONFIG,
	MODE_PREPARE,
};

enum {
	OPT_CHECK_CONFIG = 0x100,
	OPT_PREPARE,
	OPT_VERSION,
	OPT_SYSLOG,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "prepare", no_argument, NULL, OPT_PREPARE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* usage -- the help text, to stdout for --help, stderr for mistakes */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pmrd [OPTIONS]\n"
		"Serve persistent-memory regions over RDMA.\n"
		"\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"      --check-config validate the configuration and exit\n"
		"      --prepare      prepare and check every region, report, exit\n"
		"  -v, --verbose      more log output (repeatable)\n"
		"      --syslog       log to syslog instead of stderr\n"
		"  -h, --help         this text\n"
		"      --version      print the version\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n",
		PMRD_DEFAULT_CONFIG);
}

/* report_problem -- config problems as "file:line: message" on stderr */
static void report_problem(void *arg, const char *file, unsigned line,
			   const char *msg)
{
	if (line)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
}

/* load_config -- parse, report problems, set the log level */
static int load_config(const char *file, int verbose, struct pmrd_conf **ret)
{
	struct pmrd_conf *conf;
	int err;

	err = pmrd_conf_load(file, report_problem, NULL, &conf);
	if (err) {
		if (err != -EINVAL)
			fprintf(stderr, "%s: %s\n", file, strerror(-err));
		return err;
	}
	pmrd_log_set_level(conf->log_level + verbose);
	*ret = conf;
	return 0;
}

/* regions_close -- close every open region and free the array */
static void regions_close(struct pmrd_region **regions, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pmrd_region_close(&regions[i]);
	free(regions);
}

/*
 * regions_open -- open every configured region; slots of failed ones stay
 * NULL.  Returns the number of failures, or -ENOMEM.
 */
static int regions_open(const struct pmrd_conf *conf, struct pmrd_region ***ret)
{
	struct pmrd_region **regions;
	int failed = 0;

	regions =
		calloc(conf->n_regions ? conf->n_regions : 1, sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	for (size_t i = 0; i < conf->n_regions; i++) {
		pmrd_notify("STATUS=preparing region %s (%zu of %zu)",
			    conf->regions[i].name, i + 1, conf->n_regions);
		if (pmrd_region_open(&conf->regions[i], &regions[i]))
			failed++;
	}
	*ret = regions;
	return failed;
}

/* cmd_check_config -- "FILE: OK" or the problems; 0 or 1 */
static int cmd_check_config(const char *file, int verbose)
{
	struct pmrd_conf *conf;

	if (load_config(file, verbose, &conf))
		return 1;
	printf("%s: OK\n", file);
	pmrd_conf_free(&conf);
	return 0;
}

/* cmd_prepare -- open every region, print a line each, close; 0 or 1 */
static int cmd_prepare(const char *file, int verbose)
{
	struct pmrd_region **regions;
	struct pmrd_conf *conf;
	int failed;

	if (load_config(file, verbose, &conf))
		return 1;
	failed = regions_open(conf, &regions);
	if (failed < 0) {
		fprintf(stderr, "pmrd: %s\n", strerror(-failed));
		pmrd_conf_free(&conf);
		return 1;
	}
	printf("%-20s %-8s %12s %-11s %s\n", "REGION", "KIND", "SIZE",
	       "GRANULARITY", "ZEROED");
	for (size_t i = 0; i < conf->n_regions; i++) {
		const struct pmrd_region *r = regions[i];
		char size[32];

		if (!r) {
			printf("%-20s FAILED (see the log above)\n",
			       conf->regions[i].name);
			continue;
		}
		pmrd_size_format(r->size, size, sizeof(size));
		printf("%-20s %-8s %12s %-11s %s\n", r->name,
		       pmrd_region_kind_name(r->kind), size,
		       pmrd_granularity_name(r->granularity),
		       r->kind == PMRD_REGION_DEVDAX ? "never" :
		       r->zeroed_now		     ? "now" :
						       "before");
	}
	regions_close(regions, conf->n_regions);
	pmrd_conf_free(&conf);
	return failed ? 1 : 0;
}

/* cmd_run -- open every region and serve them */
static int cmd_run(const char *file, int verbose)
{
	struct pmrd_region **regions;
	struct pmrd_conf *conf;
	int failed, err, status = 1;

	if (load_config(file, verbose, &conf))
		return 1;
	log_notice("pmrd %s starting with %s, %zu region(s)", PMRD_VERSION,
		   file, conf->n_regions);
	failed = regions_open(conf, &regions);
	if (failed < 0) {
		log_err("%s", strerror(-failed));
		goto out_free_conf;
	}
	if (failed) {
		log_err("%d of %zu region(s) failed to open; not starting",
			failed, conf->n_regions);
		goto out_close_regions;
	}

	pmrd_notify("STATUS=registering %zu region(s)", conf->n_regions);
	err = pmrd_server_run(conf, regions, conf->n_regions);
	if (!err)
		status = 0;
	else /* a failed step may have said why; this says it failed */
		log_err("stopped with an error: %s", strerror(-err));

out_close_regions:
	regions_close(regions, conf->n_regions);
out_free_conf:
	if (status)
		pmrd_notify("STATUS=failed to start (see the log)");
	pmrd_conf_free(&conf);
	return status;
}

/* main -- parse options, dispatch to a mode */
int main(int argc, char **argv)
{
	const char *config = PMRD_DEFAULT_CONFIG;
	enum mode mode = MODE_RUN;
	int verbose = 0, c;

	pmrd_log_init("pmrd", LOG_INFO);
	while ((c = getopt_long(argc, argv, "c:vh", long_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case OPT_CHECK_CONFIG:
			mode = MODE_CHECK_CONFIG;
			break;
		case OPT_PREPARE:
			mode = MODE_PREPARE;
			break;
		case 'v':
			verbose++;
			break;
		case OPT_SYSLOG:
			pmrd_log_use_syslog(true);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("pmrd %s\n", PMRD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pmrd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	pmrd_log_set_level(LOG_INFO + verbose);

	switch (mode) {
	case MODE_CHECK_CONFIG:
		return cmd_check_config(config, verbose);
	case MODE_PREPARE:
		return cmd_prepare(config, verbose);
	case MODE_RUN:
		break;
	}
	return cmd_run(config, verbose);
}
