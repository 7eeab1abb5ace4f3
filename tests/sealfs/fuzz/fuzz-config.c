/*
 * fuzz-config.c - fuzz target: sfs_config_parse on arbitrary bytes
 * (tests layer; sealfs/core/config.h).
 *
 * Besides "no crash, no sanitizer report", every accepted input must obey
 * what parse promises (known version, features and block size, KDF within
 * the enforced limits) and survive sfs_config_check_master with some key;
 * every refusal must use one of the documented codes and leave why[]
 * a NUL-terminated string. Corpus: fuzz/corpus/config/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfs_config c, c2;
	uint8_t master[SFS_MASTER_KEY_LEN];
	char why[96];
	int r, r2;

	memset(why, 'X', sizeof(why));
	why[0] = '\0';
	r = sfs_config_parse((const char *)data, size, &c, why, sizeof(why));
	if (!memchr(why, '\0', sizeof(why)))
		abort();
	/* The result does not depend on whether a reason is asked for. */
	r2 = sfs_config_parse((const char *)data, size, &c2, NULL, 0);
	if (r != r2)
		abort();
	if (r) {
		if (r != -EINVAL && r != -EBADMSG && r != -EPROTONOSUPPORT && r != -ERANGE &&
		    r != -ENOMEM)
			abort();
		return 0;
	}
	if (memcmp(&c, &c2, sizeof(c)))
		abort();
	if (c.version < 1 || c.version > SFS_CONFIG_VERSION || (c.features & ~SFS_FEAT_KNOWN) ||
	    c.block_size != 4096 || c.kdf.logn < SFS_KDF_MIN_LOGN ||
	    c.kdf.logn > SFS_KDF_MAX_LOGN || c.kdf.r < SFS_KDF_MIN_R || c.kdf.p < 1)
		abort();
	/* The MAC check takes no KDF time: run it with a fixed key. */
	for (int i = 0; i < SFS_MASTER_KEY_LEN; i++)
		master[i] = (uint8_t)i;
	r = sfs_config_check_master(&c, master);
	if (r != 0 && r != -EKEYREJECTED)
		abort();
	return 0;
}
