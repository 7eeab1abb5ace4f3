/*
 * cleanup.h - scope-based cleanup helpers (common layer).
 *
 * _cleanup_free_ frees a heap pointer when it leaves scope, _cleanup_close_
 * closes a file descriptor (ignoring -1), TAKE_PTR/TAKE_FD hand ownership out
 * of a scope. Header-only; depends on nothing but libc.
 */
#ifndef COMMON_CLEANUP_H
#define COMMON_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)

/* Return the pointer and leave NULL behind, so the cleanup does nothing. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _tmp_ = (p);                                                         \
		(p) = NULL;                                                                        \
		_tmp_;                                                                             \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _tmp_ = (fd);                                                                  \
		(fd) = -1;                                                                         \
		_tmp_;                                                                             \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
