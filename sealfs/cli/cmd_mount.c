/*
 * cmd_mount.c - `sealfs mount` and `sealfs umount` (sealfs CLI layer).
 * mount checks everything it can before mounting (config, password,
 * mountpoint), then hands over to the FUSE layer, which daemonises only once
 * the mount exists.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "fs.h"
#include "log.h"
#include "util.h"
#include "cli.h"
#include "volume.h"
#include "unlock.h"
#include "mounts.h"
#include "banned.h"

static void mount_help(void)
{
	printf("usage: sealfs mount [options] [password options] CIPHERDIR MOUNTPOINT\n"
	       "       sealfs mount --reverse [--exclude GLOB]... [options] PLAINDIR MOUNTPOINT\n\n"
	       "Mount the plaintext view of the volume in CIPHERDIR on MOUNTPOINT. Returns once\n"
	       "the mount is usable; the filesystem then runs in the background until\n"
	       "'sealfs umount MOUNTPOINT'.\n"
	       "With --reverse, show a read-only encrypted view of PLAINDIR (prepared with\n"
	       "'sealfs init --reverse'): the same bytes at every mount, with sealfs.conf at\n"
	       "its root, so 'rsync -a MOUNTPOINT/ store:' ships a complete volume and\n"
	       "re-sends only what changed.\n"
	       "An EncFS volume in CIPHERDIR (.encfs6.xml, .encfs5, .encfs4) mounts with\n"
	       "--ro only: a read-only view with the EncFS password.\n\n"
	       "      --reverse        encrypted view of a plaintext directory (read-only)\n"
	       "      --exclude GLOB   reverse: hide matching entries; GLOB without '/' matches\n"
	       "                       names anywhere, with '/' paths from PLAINDIR\n"
	       "      --exclude-from FILE  reverse: one GLOB per line ('#' comments)\n"
	       "  -f, --foreground     stay in the foreground (log to stderr)\n"
	       "  -r, --ro             mount read-only\n"
	       "      --nonempty       mount over a directory that is not empty (its files\n"
	       "                       are hidden while mounted)\n"
	       "      --shared-storage CIPHERDIR is changed by others too (another mount, a\n"
	       "                       sync tool): the kernel caches no names, attributes or\n"
	       "                       data, at some cost in speed\n"
	       "  -o OPTS              extra FUSE mount options (e.g. allow_other);\n"
	       "                       default_permissions is always on\n"
	       "      --idle DURATION  unmount after DURATION (90s, 15m, 2h, 1d) with no open\n"
	       "                       file and no activity\n"
	       "      --masterkey FILE use the master key from FILE ('-' for stdin) instead\n"
	       "                       of the password\n"
	       "  -d, --debug          FUSE debug output (implies -f)\n\n" PW_HELP);
}

/* Whether DIR holds anything besides "." and "..". */
static bool dir_nonempty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return any;
}

/*
 * The mountpoint MP for a mount of the volume at CDIR: refuse what would
 * hide or lose data, as gocryptfs and EncFS users expect (docs/sealfs.1).
 * Returns EXIT_OK or EXIT_MOUNT after a one-line message.
 */
static int check_mountpoint(const char *cdir, const char *mp, bool read_only, bool nonempty)
{
	struct sfs_mount_entry *m = malloc(sizeof(*m));
	int code = EXIT_MOUNT;

	if (!m) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	if (sfs_mounts_at(mp, m) == 0) {
		log_error("mountpoint '%s' is busy: %s is already mounted there", mp,
			  sfs_mount_is_sealfs(m) ? "a sealfs volume" : m->fstype);
	} else if (!strcmp(mp, cdir)) {
		log_error("mountpoint '%s' is the volume's own directory: the view would hide the "
			  "ciphertext it reads", mp);
	} else if (sfs_path_within(mp, cdir)) {
		log_error("mountpoint '%s' is inside the volume '%s': the view would show up in "
			  "its own ciphertext", mp, cdir);
	} else if (sfs_path_within(cdir, mp)) {
		log_error("the volume '%s' is inside the mountpoint '%s': the mount would hide it",
			  cdir, mp);
	} else if (!read_only && sfs_mounts_of_volume(cdir, m) == 0) {
		log_error("volume '%s' is already mounted on '%s'; a second read-write mount would "
			  "damage it (--ro mounts a second, read-only view)", cdir, m->mountpoint);
	} else if (!nonempty && dir_nonempty(mp)) {
		log_error("mountpoint '%s' is not empty: its files would be hidden under the mount "
			  "(--nonempty mounts anyway)", mp);
	} else {
		code = EXIT_OK;
	}
	free(m);
	return code;
}

/*
 * realpath() and stat() of a mountpoint, into MP and *st. -ENOTCONN with
 * *ret_dead set when a sealfs mount whose daemon is gone sits there (the
 * kernel answers ENOTCONN for it); else 0 or -errno.
 */
static int resolve_mountpoint(const char *arg, char mp[PATH_MAX], struct stat *st, bool *ret_dead)
{
	struct sfs_mount_entry *m;
	int r = 0;

	*ret_dead = false;
	if (!realpath(arg, mp)) {
		r = -errno;
		if (r != -ENOTCONN || sfs_abs_path(arg, mp) < 0)
			return r;
	} else if (stat(mp, st) < 0) {
		r = -errno;
	}
	if (r != -ENOTCONN)
		return r;
	m = malloc(sizeof(*m));
	*ret_dead = m && sfs_mounts_at(mp, m) == 0 && sfs_mount_is_sealfs(m);
	free(m);
	return r;
}

struct excludes {
	char **v; /* NULL-terminated */
	size_t n;
};

static int add_exclude(struct excludes *ex, const char *glob)
{
	char **v;

	if (!*glob || strlen(glob) >= PATH_MAX)
		return usage_error("mount ", "bad --exclude pattern");
	if (ex->n >= 4096)
		return usage_error("mount ", "too many --exclude patterns (4096 at most)");
	v = realloc(ex->v, (ex->n + 2) * sizeof(*v));
	if (!v)
		return EXIT_FAIL;
	ex->v = v;
	ex->v[ex->n] = strdup(glob);
	if (!ex->v[ex->n])
		return EXIT_FAIL;
	ex->v[++ex->n] = NULL;
	return 0;
}

static void free_excludes(struct excludes *ex)
{
	for (size_t i = 0; i < ex->n; i++)
		free(ex->v[i]);
	free(ex->v);
	ex->v = NULL;
	ex->n = 0;
}

static int read_excludes(struct excludes *ex, const char *file)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[PATH_MAX + 2];
	int r;

	if (!f) {
		log_error("cannot read --exclude-from file '%s': %s", file, strerror(errno));
		return EXIT_USAGE;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		r = add_exclude(ex, line);
		if (r)
			return r;
	}
	return 0;
}

int cmd_mount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"foreground", no_argument, NULL, 'f'},
		{"ro", no_argument, NULL, 'r'},
		{"debug", no_argument, NULL, 'd'},
		{"idle", required_argument, NULL, 'I'},
		{"masterkey", required_argument, NULL, 'M'},
		{"reverse", no_argument, NULL, 'R'},
		{"exclude", required_argument, NULL, 'X'},
		{"exclude-from", required_argument, NULL, 'F'},
		{"nonempty", no_argument, NULL, 'N'},
		{"shared-storage", no_argument, NULL, 'C'},
		PW_LONG_OPTIONS,
		{0},
	};
	struct sfs_mount_opts mo = {0};
	struct pw_opts pw = {0};
	struct sfs_config c;
	struct sfs_fs *fs = NULL;
	uint8_t master[SFS_MASTER_KEY_LEN];
	char cdir[PATH_MAX], mp[PATH_MAX];
	const char *mkfile = NULL, *stage = "";
	struct stat st;
	struct excludes ex = {0};
	bool dead, nonempty = false, no_config = false, encfs;
	struct vol ev = {.rootfd = -1};
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+hfrdo:S", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			mount_help();
			return EXIT_OK;
		case 'f':
			mo.foreground = true;
			break;
		case 'r':
			mo.read_only = true;
			break;
		case 'd':
			mo.debug = mo.foreground = true;
			break;
		case 'o':
			if (strchr(optarg, '\n'))
				return usage_error("mount ", "bad -o value");
			if (mo.fuse_opts)
				return usage_error("mount ", "give -o once, options separated by commas");
			mo.fuse_opts = optarg;
			break;
		case 'I':
			if (parse_duration(optarg, &mo.idle_seconds))
				return usage_error("mount ", "bad --idle duration '%s' (e.g. 90s, 15m, 2h)",
						   optarg);
			break;
		case 'M':
			mkfile = optarg;
			break;
		case 'R':
			mo.reverse = true;
			break;
		case 'N':
			nonempty = true;
			break;
		case 'C':
			mo.shared_storage = true;
			break;
		case 'X':
			r = add_exclude(&ex, optarg);
			if (r)
				return r;
			break;
		case 'F':
			r = read_excludes(&ex, optarg);
			if (r)
				return r;
			break;
		default:
			return usage_error("mount ", "unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error("mount ", "expected CIPHERDIR and MOUNTPOINT");
	encfs = !mo.reverse && vol_is_encfs(argv[optind]);
	if (encfs && !mo.read_only) {
		log_error("'%s' is an EncFS volume: sealfs mounts those read-only (add --ro), and "
			  "'sealfs import' makes a sealfs volume of it", argv[optind]);
		return EXIT_USAGE;
	}
	if (encfs && mkfile) {
		log_error("'%s' is an EncFS volume: --masterkey is for sealfs volumes", argv[optind]);
		return EXIT_USAGE;
	}
	if (!realpath(argv[optind], cdir)) {
		log_error("cannot use CIPHERDIR '%s': %s", argv[optind], strerror(errno));
		return errno == ENOENT ? EXIT_CONFIG : EXIT_FAIL;
	}
	r = resolve_mountpoint(argv[optind + 1], mp, &st, &dead);
	if (dead) {
		log_error("mountpoint '%s' holds a sealfs mount whose process is gone: "
			  "'sealfs umount %s' clears it", mp, mp);
		return EXIT_MOUNT;
	}
	if (r < 0) {
		log_error("cannot use mountpoint '%s': %s", argv[optind + 1], strerror(-r));
		return EXIT_MOUNT;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("mountpoint '%s' is not a directory", mp);
		return EXIT_MOUNT;
	}
	r = check_mountpoint(cdir, mp, mo.read_only || mo.reverse, nonempty);
	if (r)
		return r;
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		log_error("cannot use /dev/fuse: %s (is the fuse module loaded?)", strerror(errno));
		return EXIT_MOUNT;
	}
	if (ex.n && !mo.reverse)
		return usage_error("mount ", "--exclude and --exclude-from go with --reverse");
	if (encfs) {
		/* An EncFS volume: unlocked here, browsed read-only (fuse/eops.c). */
		r = vol_open(cdir, &pw, NULL, &ev);
		if (r) {
			vol_close(&ev);
			return r;
		}
		mo.encfs = ev.efs;
		goto serve;
	}
	if (mo.reverse)
		r = unlock_load_config_named(cdir, SFS_REVERSE_CONFIG_NAME, &c);
	else
		r = unlock_load_config(cdir, mkfile, &c, &no_config);
	if (r)
		return r;
	mo.excludes = (const char *const *)ex.v;
	r = unlock_master(cdir, &c, no_config, &pw, mkfile, master);
	if (r)
		return r;
serve:
	mo.cipherdir = cdir;
	mo.mountpoint = mp;
	r = sfs_fs_new(&mo, &fs);
	if (r) {
		sfs_wipe(master, sizeof(master));
		vol_close(&ev);
		log_error("cannot open volume '%s': %s", cdir,
			  r == -ENOENT || r == -EIO ? "root directory IV (sealfs.diriv) missing or damaged"
						    : strerror(-r));
		return r == -ENOENT || r == -EIO ? EXIT_CONFIG : EXIT_FAIL;
	}
	r = sfs_fs_run(fs, encfs ? NULL : master, &stage);
	sfs_wipe(master, sizeof(master));
	sfs_fs_free(fs);
	vol_close(&ev);
	free_excludes(&ex);
	if (r) {
		if (!strcmp(stage, "mount") || !strcmp(stage, "fuse options")) {
			log_error("cannot mount '%s' on '%s' (see the message above)", cdir, mp);
			return EXIT_MOUNT;
		}
		log_error("'%s': %s failed: %s", mp, stage, strerror(-r));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_umount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"lazy", no_argument, NULL, 'z'},
		{0},
	};
	char mp[PATH_MAX], fstype[64] = "";
	struct sfs_mount_entry *m;
	bool lazy = false;
	int opt, status, r;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, "+hz", longopts, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: sealfs umount [-z] MOUNTPOINT\n\n"
			       "Unmount a sealfs volume; all data written is on disk when it returns.\n"
			       "  -z, --lazy   detach now, finish when the last file is closed\n");
			return EXIT_OK;
		}
		if (opt == 'z') {
			lazy = true;
			continue;
		}
		return usage_error("umount ", "unknown option or missing argument: '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return usage_error("umount ", "expected exactly one MOUNTPOINT");
	if (!realpath(argv[optind], mp) && (errno != ENOTCONN || sfs_abs_path(argv[optind], mp) < 0)) {
		log_error("cannot use mountpoint '%s': %s", argv[optind], strerror(errno));
		return EXIT_FAIL;
	}
	m = malloc(sizeof(*m));
	if (!m) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	r = sfs_mounts_at(mp, m);
	if (r == 0 && !sfs_mount_is_sealfs(m))
		snprintf(fstype, sizeof(fstype), "%s", m->fstype);
	free(m);
	if (r == -ENOENT) {
		log_error("'%s' is not mounted", mp);
		return EXIT_FAIL;
	}
	if (r < 0) {
		log_error("cannot read /proc/self/mountinfo: %s", strerror(-r));
		return EXIT_FAIL;
	}
	if (*fstype) {
		log_error("'%s' is not a sealfs mount (it is %s): use umount(8)", mp, fstype);
		return EXIT_FAIL;
	}
	if (geteuid() == 0) {
		if (umount2(mp, lazy ? MNT_DETACH : 0) == 0)
			return EXIT_OK;
		if (errno == EBUSY)
			log_error("cannot unmount '%s': a file or directory there is in use "
				  "('sealfs umount -z' detaches it now and seals once it is closed)", mp);
		else
			log_error("cannot unmount '%s': %s", mp, strerror(errno));
		return EXIT_FAIL;
	}
	pid = fork();
	if (pid < 0) {
		log_error("cannot run fusermount3: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", lazy ? "-uz" : "-u", mp, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return EXIT_OK;
	log_error("cannot unmount '%s' (fusermount3 failed)", mp);
	return EXIT_FAIL;
}
