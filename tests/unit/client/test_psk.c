/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_psk.c -- pmr_conn_cfg_set_psk / _set_psk_file: sizes, the region
 * name, replacing a key, the 16-key table, hex and raw key files (read the
 * way pmrd reads psk_file), and the wipe on delete
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char key[] = "0123456789abcdef0123";

Test(psk, bad_arguments)
{
	struct pmr_conn_cfg *cfg;
	char name[PMR_NAME_MAX + 2];

	cr_assert_eq(pmr_conn_cfg_new(&cfg), 0);
	cr_expect_eq(pmr_conn_cfg_set_psk(NULL, "r", key, 16), -EINVAL);
	cr_expect_eq(pmr_conn_cfg_set_psk(cfg, "r", NULL, 16), -EINVAL);
	cr_expect_eq(pmr_conn_cfg_set_psk(cfg, "r", key, 15), -EINVAL);
	cr_expect_eq(pmr_conn_cfg_set_psk(cfg, "r", key, 65), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_expect_eq(pmr_conn_cfg_set_psk(cfg, name, key, 16), -ENAMETOOLONG);
	cr_expect_eq(pmr_conn_cfg_set_psk_file(cfg, "r", "/nonexistent"),
		     -ENOENT);
	pmr_conn_cfg_delete(&cfg);
	cr_expect_null(cfg);
}

Test(psk, table_replace_and_full)
{
	struct pmr_conn_cfg *cfg;
	char name[8];

	cr_assert_eq(pmr_conn_cfg_new(&cfg), 0);
	cr_assert_eq(pmr_conn_cfg_set_psk(cfg, "a", key, 16), 0);
	cr_assert_eq(pmr_conn_cfg_set_psk(cfg, "a", key, 20), 0);
	cr_expect_eq(cfg->psk[0].len, 20, "replaced in place");
	cr_expect_eq(cfg->psk[1].len, 0);
	cr_assert_eq(pmr_conn_cfg_set_psk(cfg, NULL, key, 16), 0);
	cr_expect_str_eq(cfg->psk[1].region, "");
	for (int i = 2; i < PMR_CFG_PSK_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		cr_assert_eq(pmr_conn_cfg_set_psk(cfg, name, key, 16), 0);
	}
	cr_expect_eq(pmr_conn_cfg_set_psk(cfg, "one-more", key, 16), -ENOSPC);
	pmr_cfg_wipe_psks(cfg);
	for (size_t i = 0; i < sizeof(cfg->psk); i++)
		cr_assert_eq(((uint8_t *)cfg->psk)[i], 0, "wiped");
	pmr_conn_cfg_delete(&cfg);
}

/* file_key -- a key file holding TEXT, set for region "r"; the key */
static const struct pmr_psk *file_key(struct pmr_conn_cfg *cfg,
				      const char *text)
{
	char path[] = "/tmp/pmr-psk-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(pmr_conn_cfg_set_psk_file(cfg, "r", path), 0, "%s", text);
	unlink(path);
	return &cfg->psk[0];
}

Test(psk, key_files_hex_or_raw)
{
	struct pmr_conn_cfg *cfg;
	const struct pmr_psk *k;

	cr_assert_eq(pmr_conn_cfg_new(&cfg), 0);
	k = file_key(cfg, "  00112233445566778899AABBCCDDEEFF\n");
	cr_assert_eq(k->len, 16);
	cr_expect_eq(k->key[0], 0x00);
	cr_expect_eq(k->key[15], 0xff);
	k = file_key(cfg, "a raw key, not hex at all");
	cr_assert_eq(k->len, 25);
	cr_expect_arr_eq(k->key, "a raw key, not hex at all", 25);
	pmr_conn_cfg_delete(&cfg);
}
