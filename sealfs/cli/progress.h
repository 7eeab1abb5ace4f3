/*
 * progress.h - a progress line for long offline work (fsck, decrypt) on a
 * terminal (sealfs CLI layer): files and bytes done of the total, rate and
 * time left, redrawn at most 4 times a second on standard error. Quiet when
 * standard error is not a terminal (cron, logs, pipes): then every function
 * does nothing. No FUSE, no crypto.
 */
#ifndef SEALFS_PROGRESS_H
#define SEALFS_PROGRESS_H

#include <stdint.h>

struct sfs_progress;

/*
 * A progress line for VERB ("checked", "restored") over the ciphertext
 * tree at ROOTFD, whose regular files and bytes are counted first (one
 * metadata walk) to give the time left. NULL when standard error is not a
 * terminal or memory is short: the other functions accept NULL.
 */
struct sfs_progress *sfs_progress_new(const char *verb, int rootfd);
/* FILES and BYTES (of ciphertext) done so far. */
void sfs_progress_update(struct sfs_progress *p, uint64_t files, uint64_t bytes);
/* Clear the line (before printing something else); the next update redraws it. */
void sfs_progress_clear(struct sfs_progress *p);
/* Clear the line and free P. */
void sfs_progress_free(struct sfs_progress *p);

#endif
