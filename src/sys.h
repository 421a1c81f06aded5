/* SPDX-License-Identifier: MIT */
/* Raw system calls the C libraries grace builds with may not wrap. */
#ifndef GRACE_SYS_H
#define GRACE_SYS_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434	/* the same number on every architecture */
#endif

/* A descriptor that becomes readable when pid exits (Linux 5.3); it is
 * always close-on-exec.  -1 with errno set on failure (ENOSYS, ESRCH). */
static inline int
sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(__NR_pidfd_open, pid, flags);
}

#endif
