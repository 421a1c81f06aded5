/* SPDX-License-Identifier: MIT */
/* Whether a service's or job's spec changed between two loads of the
 * plan: what gracectl reload restarts. */
#ifndef GRACE_SPEC_H
#define GRACE_SPEC_H

#include <stdbool.h>

#include "plan.h"

/*
 * Whether a and b (the same name, from two loads) would run the same way:
 * every setting, the resolved command, environment, user, directory and
 * readiness check, and the names of its dependencies.  What only
 * describes (Description=, the lines things were on) does not count.
 * Pure.
 */
bool spec_same(const struct plan_service *a, const struct plan_service *b);

#endif
