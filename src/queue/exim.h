/* exim.h - Exim's state through its own tools: exim -bpc (how many
 * messages) and exim -bp (each message: age, size, id, sender, frozen
 * or not, recipients, D before those delivered) */
#ifndef FPKIT_EXIM_H
#define FPKIT_EXIM_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct queue_state;
struct toolrun_options;

/* The number 'exim -bpc' prints: 0, or -1 when text is not one. */
int exim_parse_count(const char *text, uint64_t *n);

/* Add the messages of 'exim -bp' output; arrivals are 'now' less the
 * age shown (to the minute, hour or day: q->arrival_approx).
 * EX_DATAERR naming the line when one is neither a message, a
 * recipient nor blank. */
int exim_parse_queue(struct queue_state *q, const char *text, size_t len, int64_t now,
		     struct error *err);

/* Read Exim's state into q, running the tool 'exim' names (exim or
 * exim4). */
int exim_read(const struct toolrun_options *o, const char *exim, struct queue_state *q,
	      struct error *err);

#endif
