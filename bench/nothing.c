// SPDX-License-Identifier: MIT
/* Bench workload: a static `true`, so the command costs the same for all. */
int
main(void)
{
	return 0;
}
