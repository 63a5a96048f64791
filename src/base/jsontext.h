/* jsontext.h - outside text as a JSON string */
#ifndef FPKIT_JSONTEXT_H
#define FPKIT_JSONTEXT_H

#include <jansson.h>

/* A JSON string of s (new reference): the text itself when it is valid
 * UTF-8, else as textsafe_visible shows it; JSON null for NULL.  Every
 * stage that puts outside text (a header, a path, an API value) into
 * JSON goes through here, so that nothing is dropped for being invalid
 * UTF-8. */
json_t *jsontext_string(const char *s);

#endif
