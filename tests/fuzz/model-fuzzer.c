/* model-fuzzer.c - the JSON model loaders (model.h) on a document as the
 * API, or a user's saved copy of its answer, may hand it over: the same
 * bytes as an ip.SpamIp object and as a stats array.
 *
 * Checked besides crashes: what validates holds what model.h promises
 * (strings set, a state of ip.SpamStateEnum, the targets of all entries
 * counted once). */
#include "config.h"

#include <stdlib.h>

#include "error.h"
#include "fuzz.h"
#include "model.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct error err = ERROR_INIT;
	struct model_spamip ip;
	struct model_stats stats;

	if (model_parse_spamip(buf, size, "fuzz.json", &ip, &err) == 0) {
		if (ip.date_raw == NULL || ip.ip == NULL || ip.state == NULL ||
		    !model_state_valid(ip.state))
			abort();
		model_spamip_release(&ip);
	}
	if (model_parse_stats(buf, size, "fuzz.json", &stats, &err) == 0) {
		size_t sum = 0;

		for (size_t i = 0; i < stats.nr_entries; i++)
			sum += stats.entries[i].nr_targets;
		if (sum != stats.nr_targets)
			abort();
		for (size_t i = 0; i < stats.nr_targets; i++)
			if (stats.targets[i].message_id == NULL || stats.targets[i].destination_ip == NULL)
				abort();
		model_stats_release(&stats);
	}
	return 0;
}
