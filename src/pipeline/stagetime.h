/* stagetime.h - the time each stage of a run took (pack --timing):
 * wall and CPU seconds, for the user's eyes only, never part of a
 * bundle */
#ifndef FPKIT_STAGETIME_H
#define FPKIT_STAGETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define STAGETIME_MAX 16

struct stagetime_stage {
	const char *name;	/* static: "gather", "locate", ... */
	double wall;		/* seconds */
	double cpu;		/* the process's CPU seconds over the stage (all
				 * its threads') */
};

struct stagetime {
	struct stagetime_stage stages[STAGETIME_MAX];
	size_t nr;
	bool started;
	struct timespec start_wall, start_cpu;	/* the run's start */
	struct timespec lap_wall, lap_cpu;	/* the last stage's end */
	double wall, cpu;			/* the run so far */
};

/* The run starts now (t is reset). */
void stagetime_start(struct stagetime *t);

/* Stage 'name' (static) ends now: it took the time since the last one
 * ended (or the run started).  Past STAGETIME_MAX stages, the time goes
 * to the run's alone. */
void stagetime_lap(struct stagetime *t, const char *name);

/* A stage timed on its own (one that ran beside the others, in a thread
 * of its own): 'wall' and 'cpu' are its seconds; the laps go on as
 * before. */
void stagetime_add(struct stagetime *t, const char *name, double wall, double cpu);

#endif
