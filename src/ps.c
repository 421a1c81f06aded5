// SPDX-License-Identifier: MIT
/* Owns gracectl ps's system calls: reading each process's stat, status
 * and cmdline from /proc, /etc/passwd, and which process is grace; the
 * decisions and the writing are pstree.c's and psview.c's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ask.h"
#include "number.h"
#include "procinfo.h"
#include "ps.h"
#include "psview.h"
#include "pstree.h"
#include "request.h"
#include "user.h"

/* The most of a command line, or of /etc/passwd, that is read. */
#define CMDLINE_MAX ((size_t)64 * 1024)
#define PASSWD_MAX ((size_t)1024 * 1024)
/* stat and status are a few hundred bytes and under 2 KiB. */
#define STATUS_MAX ((size_t)16 * 1024)

/* Room for a user name, as useradd allows them (32) and more. */
#define USER_NAME_MAX 64

/*
 * Reads the file name under the directory dirfd into a fresh NUL-terminated
 * buffer, at most max bytes; *len is its length.  Returns NULL with errno
 * set on failure: ENOENT or ESRCH when the process has gone.
 */
static char *
read_at(int dirfd, const char *name, size_t max, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf = NULL, *grown;
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (buf == NULL || used == size) {
			if (buf != NULL)
				size *= 2;
			grown = realloc(buf, size + 1);
			if (grown == NULL) {
				errno = ENOMEM;
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		used += (size_t)n;
		if (n == 0 || used >= max) {
			close(fd);
			buf[used < max ? used : max] = '\0';
			*len = used < max ? used : max;
			return buf;
		}
	}
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

/* Whether an error reading a process's file means it has gone. */
static bool
gone(int error)
{
	return error == ENOENT || error == ESRCH;
}

/*
 * Reads process name (a /proc entry) into *info: stat (required), status
 * and cmdline (each left out when unreadable: another user's process
 * under hidepid).  0; 1 when the process has gone or is no process;
 * -1 with errno set for anything else.
 */
static int
read_process(int procfd, const char *name, struct procinfo *info)
{
	char *text;
	size_t len;
	int dirfd, rc = 0;

	memset(info, 0, sizeof(*info));
	dirfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return gone(errno) ? 1 : -1;
	text = read_at(dirfd, "stat", STATUS_MAX, &len);
	if (text == NULL) {
		rc = gone(errno) ? 1 : -1;
	} else if (procinfo_parse_stat(text, info) < 0) {
		rc = 1;	/* not what the kernel writes: not a process */
	} else {
		free(text);
		text = read_at(dirfd, "status", STATUS_MAX, &len);
		if (text != NULL && procinfo_parse_status(text, info) < 0)
			info->has_status = false;
		free(text);
		text = read_at(dirfd, "cmdline", CMDLINE_MAX, &len);
		if (text != NULL && procinfo_set_command(info, text, len) < 0)
			rc = -1;
		/* A process that ends between its stat and its cmdline
		 * is still shown, as what it was. */
	}
	free(text);
	close(dirfd);
	return rc;
}

/* Whether an entry of /proc is a process: all digits. */
static bool
is_pid_name(const char *name)
{
	if (*name == '\0')
		return false;
	for (; *name != '\0'; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

/* Every process of /proc into a fresh array; 0 or -1 with errno set. */
static int
read_all(struct procinfo **out, size_t *count)
{
	struct procinfo *procs = NULL, *grown;
	size_t n = 0, cap = 0, i;
	struct dirent *d;
	int rc, saved;
	DIR *dir;

	dir = opendir("/proc");
	if (dir == NULL)
		return -1;
	while ((errno = 0, d = readdir(dir)) != NULL) {
		if (!is_pid_name(d->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(procs, cap * sizeof(*procs));
			if (grown == NULL) {
				errno = ENOMEM;
				goto fail;
			}
			procs = grown;
		}
		rc = read_process(dirfd(dir), d->d_name, &procs[n]);
		if (rc < 0) {
			procinfo_free(&procs[n]);
			goto fail;
		}
		if (rc == 0)
			n++;
	}
	if (errno != 0)
		goto fail;
	closedir(dir);
	*out = procs;
	*count = n;
	return 0;
fail:
	saved = errno;
	for (i = 0; i < n; i++)
		procinfo_free(&procs[i]);
	free(procs);
	closedir(dir);
	errno = saved;
	return -1;
}

/* Where gracectl's own binary is, to know grace by it. */
struct self_exe {
	bool known;
	dev_t dev;
	ino_t ino;
};

/*
 * grace is the process that runs this same binary (gracectl is grace
 * under another name): /proc/PID/exe is the same file.  That link can
 * only be followed for our own user's processes (or as root); for the
 * others, the names grace goes by must do.
 */
static bool
is_grace(const struct procinfo *info, void *ctx)
{
	const struct self_exe *self = ctx;
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)info->pid);
	if (self->known && stat(path, &st) == 0)
		return st.st_dev == self->dev && st.st_ino == self->ino;
	return pstree_comm_is_grace(info->comm);
}

/* /etc/passwd, for user names, or NULL when it cannot be read (a
 * distroless image may have none: uids are shown then). */
static char *
read_passwd(void)
{
	int fd = open("/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *passwd;
	size_t len;

	if (fd < 0)
		return NULL;
	passwd = read_at(fd, "passwd", PASSWD_MAX, &len);
	close(fd);
	return passwd;
}

/* Chooses, orders and writes the n processes read; 0 or -1. */
/* One line of grace's "groups" reply: a service's or run's process
 * group and process. */
struct group {
	pid_t pgid, pid;
	const char *name;
};

/* Parses "PGID PID NAME" lines of text (changed in place) into groups;
 * returns how many, at most max.  A line that is not one is skipped. */
static size_t
parse_groups(char *text, struct group *groups, size_t max)
{
	unsigned long long pgid, pid;
	char *line, *save = NULL, *pid_at, *name;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		pid_at = strchr(line, ' ');
		name = pid_at != NULL ? strchr(pid_at + 1, ' ') : NULL;
		if (name == NULL || name[1] == '\0' ||
		    number_parse(line, (size_t)(pid_at - line), INT_MAX,
				 &pgid) < 0 ||
		    number_parse(pid_at + 1, (size_t)(name - pid_at - 1),
				 INT_MAX, &pid) < 0)
			continue;
		groups[n++] = (struct group){ (pid_t)pgid, (pid_t)pid,
					      name + 1 };
	}
	return n;
}

/*
 * The service each row's process belongs to: the one whose process or
 * process group it is, else its parent's (rows are in tree order, a
 * parent before its children), so that what escaped into a group or
 * session of its own still shows under its service.
 */
static void
assign_services(struct psview_row *rows, size_t count,
		const struct group *groups, size_t n_groups)
{
	const struct procinfo *p;
	size_t i, k;

	for (i = 0; i < count; i++) {
		p = rows[i].info;
		if (p == NULL)
			continue;
		for (k = 0; k < n_groups && rows[i].service == NULL; k++)
			if (p->pid == groups[k].pid ||
			    p->pgid == groups[k].pgid)
				rows[i].service = groups[k].name;
		if (rows[i].service != NULL)
			continue;
		for (k = i; k-- > 0;) {
			if (rows[k].info != NULL &&
			    rows[k].info->pid == p->ppid) {
				rows[i].service = rows[k].service;
				break;
			}
		}
	}
}

/* The most services and runs gracectl ps names. */
#define MAX_GROUPS 4096

static int
show(const struct procinfo *procs, size_t n, bool json, char *groups_text,
     FILE *out)
{
	struct group *groups = NULL;
	size_t n_groups = 0;
	struct self_exe self = { false, 0, 0 };
	struct pstree_row *order = calloc(n ? n : 1, sizeof(*order));
	struct psview_row *rows = calloc(n ? n : 1, sizeof(*rows));
	char(*names)[USER_NAME_MAX] = calloc(n ? n : 1, sizeof(*names));
	const struct procinfo *info;
	char *passwd = NULL;
	size_t count = 0, i;
	struct stat st;
	int rc = -1;
	pid_t root;

	if (order == NULL || rows == NULL || names == NULL)
		goto done;
	if (stat("/proc/self/exe", &st) == 0)
		self = (struct self_exe){ true, st.st_dev, st.st_ino };
	root = pstree_choose_root(procs, n, getppid(), is_grace, &self);
	if (pstree_order(procs, n, root, order, &count) < 0)
		goto done;
	passwd = read_passwd();
	/* count <= n: said here for the analyzer, which cannot see it. */
	for (i = 0; i < count && i < n; i++) {
		info = &procs[order[i].index];
		rows[i].info = info;
		rows[i].depth = order[i].depth;
		rows[i].marks = order[i].marks;
		rows[i].user = NULL;
		if (passwd != NULL && info->has_status &&
		    user_name_in_passwd(passwd, info->uid, names[i],
					USER_NAME_MAX) == 0)
			rows[i].user = names[i];
		rows[i].service = NULL;
	}
	free(passwd);
	if (groups_text != NULL) {
		groups = calloc(MAX_GROUPS, sizeof(*groups));
		if (groups != NULL)
			n_groups = parse_groups(groups_text, groups,
						MAX_GROUPS);
		assign_services(rows, count, groups, n_groups);
	}
	if (json) {
		rc = psview_json(rows, count, out);
	} else {
		psview_text(rows, count, out);
		rc = 0;
	}
done:
	free(groups);
	free(order);
	free(rows);
	free(names);
	if (rc < 0)
		fprintf(stderr, "gracectl: out of memory\n");
	return rc;
}

int
ps_run(bool json, const char *control, FILE *out)
{
	struct procinfo *procs = NULL;
	char *groups_text = NULL;
	struct reply reply;
	size_t n = 0, i;
	int rc;

	if (read_all(&procs, &n) < 0) {
		fprintf(stderr, "gracectl: unable to read /proc: %s\n",
			strerror(errno));
		return -1;
	}
	/* After /proc is read: grace, answering, would show as running. */
	if (ask_grace(control, "groups", true, &reply) == 0) {
		if (reply.code == REPLY_OK)
			groups_text = strndup(reply.text, reply.text_len);
		reply_free(&reply);
	}
	rc = show(procs, n, json, groups_text, out);
	free(groups_text);
	for (i = 0; i < n; i++)
		procinfo_free(&procs[i]);
	free(procs);
	if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
		fprintf(stderr, "gracectl: unable to write: %s\n",
			strerror(errno));
		rc = -1;
	}
	return rc;
}
