# SPDX-License-Identifier: MIT
"""grace's next-run computation (src/schedule.c, through
tests/tools/schedule_next) against python3-croniter's, on a few thousand
random schedules in UTC: the same runs, in the same order.

Only schedules on which croniter and Vixie cron agree are drawn; the classes
left out, and which side Vixie cron (and so grace) takes, are:

- Which day fields restrict.  Vixie cron (and cronie) call a day-of-month or
  day-of-week field unrestricted when it starts with '*', so "*/2" in one of
  them with the other restricted means both must match (AND); croniter
  instead calls a field unrestricted when it covers every value, so "*/2"
  restricts (OR) and "1-31" or "0-7" do not (AND), where Vixie ORs them.
  Vixie's rule is grace's: schedules whose AND/OR differs between the two
  rules are left out.
- Ranges that wrap ("sat-sun", "22-2"): croniter reads them around the end,
  Vixie cron rejects them (first > last), as grace does.  Not drawn.
- Days no month of the schedule has ("31 2 mon"): Vixie ORs the day of the
  month with the weekday, so Mondays in February run; croniter gives up.
  Not drawn, nor their AND form, which both reject.
- Days 30 and 31 with February: from a day in February, croniter 1.3.5
  jumps past the next month's first match when the day-of-month list
  holds a day February lacks ("0 0 1,31 * *" after 02-26 finds 03-31, not
  03-01); Vixie cron and grace run on 03-01.  Not drawn.
- croniter's extensions (L, W, #, H, a trailing seconds field): not cron's.
  A seconds field is drawn, as grace's leading one, and handed to croniter
  as its trailing one, but not with a weekday 7: croniter 1.3.5 with a
  seconds field skips Sunday written as 7 ("* * * * 7 0" finds no date),
  where 7 is Sunday for Vixie cron and grace.
"""

import calendar
import datetime
import os
import random
import subprocess
import time
from pathlib import Path

import pytest

croniter = pytest.importorskip(
    "croniter", reason="python3-croniter is not installed (tests/deps.sh)")

REPO = Path(__file__).resolve().parents[2]
SCHEDULE_NEXT = os.environ.get("SCHEDULE_NEXT")
TOOL = Path(SCHEDULE_NEXT or REPO / "build" / "tools" / "schedule_next")

SEED = 20261201
SCHEDULES = 4000
RUNS = 6
BUDGET_SECONDS = 20

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
          "oct", "nov", "dec"]
WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

# name, lowest, highest, names (for lowest, lowest + 1, ...)
FIELDS = {
    "second": (0, 59, None),
    "minute": (0, 59, None),
    "hour": (0, 23, None),
    "dom": (1, 31, None),
    "month": (1, 12, MONTHS),
    "dow": (0, 7, WEEKDAYS),
}


def tool():
    """The schedule_next program: SCHEDULE_NEXT, or the default build's."""
    if not TOOL.exists():
        if SCHEDULE_NEXT:
            pytest.fail(f"SCHEDULE_NEXT={SCHEDULE_NEXT} does not exist")
        pytest.skip(f"{TOOL} is not built: run `make {TOOL.relative_to(REPO)}`"
                    " (make scenarios does)")
    return str(TOOL)


def value_text(rng, field, value):
    """A value as a number, or sometimes as its name in any case."""
    lo, _, names = FIELDS[field]
    if names and value - lo < len(names) and rng.random() < 0.3:
        name = names[value - lo]
        return rng.choice([name, name.upper(), name.capitalize()])
    return str(value)


def draw_item(rng, field):
    """One item of a list: N, A-B, A-B/S or A/S (A <= B: no wrapping)."""
    lo, hi, _ = FIELDS[field]
    a = rng.randint(lo, hi)
    kind = rng.random()
    if kind < 0.45:
        return value_text(rng, field, a)
    b = rng.randint(a, hi)
    if kind < 0.75:
        return f"{value_text(rng, field, a)}-{value_text(rng, field, b)}"
    step = rng.randint(1, max(1, (hi - lo) // 2 + 2))
    if kind < 0.9:
        return (f"{value_text(rng, field, a)}-{value_text(rng, field, b)}"
                f"/{step}")
    return f"{a}/{step}"


def draw_field(rng, field, star_weight):
    """'*', '*/S', or a list of one to three items."""
    lo, hi, _ = FIELDS[field]
    r = rng.random()
    if r < star_weight:
        return "*"
    if r < star_weight + 0.15:
        return f"*/{rng.randint(1, hi - lo + 2)}"
    count = rng.choice([1, 1, 2, 3])
    return ",".join(draw_item(rng, field) for _ in range(count))


def values(field, text, fold=True):
    """The set of values a field stands for, as Vixie cron reads it (7 is
    Sunday, unless not fold)."""
    lo, hi, names = FIELDS[field]

    def number(word):
        if names and not word.isdigit():
            return lo + names.index(word.lower())
        return int(word)

    out = set()
    for item in text.split(","):
        rng, _, step = item.partition("/")
        if rng == "*":
            a, b = lo, hi
        elif "-" in rng:
            a, b = (number(w) for w in rng.split("-"))
        else:
            a = number(rng)
            b = hi if step else a
        out.update(range(a, b + 1, int(step or 1)))
    if field == "dow" and fold and 7 in out:
        out = (out - {7}) | {0}
    return out


def agreed(dom, month, dow):
    """Whether croniter and Vixie cron read these day fields alike (see the
    module's comment)."""
    days, months = values("dom", dom), values("month", month)
    vixie_and = dom.startswith("*") or dow.startswith("*")
    croniter_and = days == set(range(1, 32)) or \
        values("dow", dow) == set(range(7))
    if vixie_and != croniter_and:
        return False
    if 2 in months and days != set(range(1, 32)) and max(days) >= 30:
        return False
    return any(d <= DAYS_IN_MONTH[m - 1] for d in days for m in months)


def draw_schedule(rng):
    """(grace's text, croniter's text) of a schedule both read alike."""
    while True:
        minute = draw_field(rng, "minute", 0.2)
        hour = draw_field(rng, "hour", 0.3)
        dom = draw_field(rng, "dom", 0.5)
        month = draw_field(rng, "month", 0.6)
        dow = draw_field(rng, "dow", 0.6)
        if not agreed(dom, month, dow):
            continue
        five = f"{minute} {hour} {dom} {month} {dow}"
        if rng.random() < 0.2 and 7 not in values("dow", dow, fold=False):
            second = draw_field(rng, "second", 0.1)
            return f"{second} {five}", f"{five} {second}"
        return five, five


def croniter_runs(text, after, count):
    """The next count runs after after (UTC seconds), by croniter."""
    start = datetime.datetime.fromtimestamp(after, datetime.timezone.utc)
    it = croniter.croniter(text, start)
    return [int(it.get_next(float)) for _ in range(count)]


def test_schedules_match_croniter():
    rng = random.Random(SEED)
    low = calendar.timegm((2000, 1, 1, 0, 0, 0))
    high = calendar.timegm((2040, 1, 1, 0, 0, 0))
    cases = []
    for _ in range(SCHEDULES):
        grace_text, croniter_text = draw_schedule(rng)
        after = rng.randint(low, high)
        cases.append((grace_text, croniter_text, after))

    started = time.monotonic()
    lines = "".join(f"{g}\t{after}\t{RUNS}\n" for g, _, after in cases)
    done = subprocess.run([tool()], input=lines, capture_output=True,
                          text=True, timeout=60, check=True)
    answers = done.stdout.splitlines()
    assert len(answers) == len(cases), done.stderr

    mismatches = []
    for (grace_text, croniter_text, after), answer in zip(cases, answers):
        if answer.startswith("error"):
            mismatches.append(f"{grace_text!r} after {after}: {answer}")
            continue
        got = [int(word) for word in answer.split()]
        want = croniter_runs(croniter_text, after, RUNS)
        if got != want:
            mismatches.append(f"{grace_text!r} after {after}: grace {got}, "
                              f"croniter ({croniter_text!r}) {want}")
    elapsed = time.monotonic() - started
    assert not mismatches, \
        f"{len(mismatches)} of {len(cases)} differ:\n" + \
        "\n".join(mismatches[:20])
    assert elapsed < BUDGET_SECONDS, f"took {elapsed:.1f}s"


def test_classes_left_out_are_vixie():
    """The classes the random test leaves out, with grace on Vixie cron's
    side: "*/2" in a day field with the other restricted is AND, "1-31"
    with a restricted weekday is OR, wrapping ranges and days no month has
    are errors."""
    cases = [
        # 2026-01-01 is a Thursday; the 9th and the 23rd are odd Fridays.
        ("0 0 */2 * 5", "1767225600\t2", "1767916800 1769126400"),
        # Every day: the 1st to 31st, or Mondays.
        ("0 0 1-31 * 1", "1767225600\t2", "1767312000 1767398400"),
        ("0 0 1 * 0-7", "1767225600\t2", "1767312000 1767398400"),
        ("0 0 * * sat-sun", "0\t1", "error: day of week field 'sat-sun': "
                                    "out of 0-7"),
        ("0 0 30 2 *", "0\t1", "error: the schedule never runs: no month in "
                               "it has that day"),
        # February's Mondays: 2026-02-02, 02-09.
        ("0 0 31 2 mon", "1767225600\t2", "1769990400 1770595200"),
    ]
    lines = "".join(f"{text}\t{rest}\n" for text, rest, _ in cases)
    done = subprocess.run([tool()], input=lines, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == [want for _, _, want in cases]
