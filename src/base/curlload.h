/* curlload.h - libcurl, loaded by the commands that use it (curlload.c) */
#ifndef FPKIT_CURLLOAD_H
#define FPKIT_CURLLOAD_H

/* NULL when libcurl is loaded (it is, from this call on), else why it
 * cannot be.  The libcurl functions themselves stop fpkit with EX_OSFILE
 * and that reason when it cannot be loaded: this is for those that must
 * not stop (--version). */
const char *curlload_error(void);

#endif
