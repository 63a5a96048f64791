/* jsontext.c - outside text as a JSON string */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsontext.h"
#include "textsafe.h"

json_t *
jsontext_string(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	/* jansson refuses a string that is not valid UTF-8. */
	v = json_string(s);
	if (v == NULL) {
		char *safe = textsafe_visible(s, strlen(s));

		v = json_string(safe);
		free(safe);
	}
	return v;
}
