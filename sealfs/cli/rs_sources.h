/*
 * rs_sources.h - the sources and sinks of the restore engine (sealfs CLI
 * layer): a sealfs volume as a source (rs_sealfs.c) and as a sink written
 * offline (rs_sealfs.c), an EncFS volume as a source (rs_encfs.c), plain
 * directories (rs_dir.c, declared in restore.h). Each context is set up by
 * the caller and borrowed by the engine.
 */
#ifndef SEALFS_RS_SOURCES_H
#define SEALFS_RS_SOURCES_H

#include "encfs-vol.h"
#include "keys.h"
#include "restore.h"

/* A sealfs volume read through the core walker. */
struct rs_sealfs_src {
	const struct sfs_keys *k;
	int rootfd;
};
extern const struct rs_source_ops rs_sealfs_source;

/*
 * A sealfs volume written offline, with the same format and header bindings
 * as the mount writes: rootfd is the directory the tree goes into (the
 * volume root or a directory below it; see rs_sealfs_base).
 */
struct rs_sealfs_snk {
	const struct sfs_keys *k;
	int rootfd;
	/* fsync every file before its rename (a crash leaves the old object or
	 * the new one); else only the engine's syncfs at the end, and a rerun
	 * checks what it finds (import). */
	bool fsync_each;
};
extern const struct rs_sink_ops rs_sealfs_sink;

/*
 * Open (making the missing ones) the plaintext directory PATH ("a/b", ""
 * for the root) below the volume root VROOTFD, into *ret (fd and IV; the fd
 * is the caller's). -ENOTDIR when a component is not a directory.
 */
int rs_sealfs_base(const struct sfs_keys *k, int vrootfd, const char *path, struct rs_ddir *ret);

/* An EncFS volume. */
struct rs_encfs_src {
	struct efs_volume *v;
};
extern const struct rs_source_ops rs_encfs_source;

/* The user.* xattrs of FD in clear (plain trees, EncFS volumes). */
int rs_plain_xattrs(int fd, rs_xattr_fn fn, void *arg);

#endif
