/* stagetime.c - the time each stage of a run took */
#include "config.h"

#include <string.h>

#include "stagetime.h"

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void
stagetime_start(struct stagetime *t)
{
	memset(t, 0, sizeof(*t));
	t->started = true;
	clock_gettime(CLOCK_MONOTONIC, &t->start_wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t->start_cpu);
	t->lap_wall = t->start_wall;
	t->lap_cpu = t->start_cpu;
}

void
stagetime_lap(struct stagetime *t, const char *name)
{
	struct timespec w, c;

	clock_gettime(CLOCK_MONOTONIC, &w);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
	if (t->nr < STAGETIME_MAX) {
		t->stages[t->nr].name = name;
		t->stages[t->nr].wall = seconds_between(&t->lap_wall, &w);
		t->stages[t->nr].cpu = seconds_between(&t->lap_cpu, &c);
		t->nr++;
	}
	t->lap_wall = w;
	t->lap_cpu = c;
	t->wall = seconds_between(&t->start_wall, &w);
	t->cpu = seconds_between(&t->start_cpu, &c);
}

void
stagetime_add(struct stagetime *t, const char *name, double wall, double cpu)
{
	if (t->nr < STAGETIME_MAX) {
		t->stages[t->nr].name = name;
		t->stages[t->nr].wall = wall;
		t->stages[t->nr].cpu = cpu;
		t->nr++;
	}
}
