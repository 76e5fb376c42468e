/* File digests as capinfos prints them (SHA256, RIPEMD160, SHA1), computed
 * with libgcrypt. */
#ifndef PW_UTIL_HASH_H
#define PW_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct pw_digests {
    char sha256[65];
    char rmd160[41];
    char sha1[41];
};

int pw_hash_buffer(const uint8_t *p, size_t n, struct pw_digests *out, struct pw_error *err);
/* Reads the file in chunks (no whole-file buffer). */
int pw_hash_file(const char *path, struct pw_digests *out, struct pw_error *err);

#endif
