/* One error convention for the whole library: functions return 0 (or a
 * positive count) on success and a negative enum pw_err on failure, and put
 * a human-readable message into a caller-owned struct pw_error. The library
 * never prints and never exits. */
#ifndef PW_UTIL_ERROR_H
#define PW_UTIL_ERROR_H

#include <stdint.h>

enum pw_err {
    PW_OK = 0,
    PW_ERR_IO = -1,          /* open/read/mmap failed */
    PW_ERR_FORMAT = -2,      /* not a capture file we know, or a lying length */
    PW_ERR_CUT_SHORT = -3,   /* file ends in the middle of a record */
    PW_ERR_NOMEM = -4,
    PW_ERR_ARG = -5,         /* bad argument from the caller */
    PW_ERR_UNSUPPORTED = -6,
    PW_ERR_LIMIT = -7,       /* a configured bound was hit */
};

struct pw_error {
    int code;
    uint64_t offset; /* byte offset in the input the error refers to, if any */
    char msg[256];
};

#if defined(__GNUC__)
#define PW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PW_PRINTF(a, b)
#endif

/* Returns code, so callers can write `return pw_error_set(err, ...)`.
 * err may be NULL. */
int pw_error_set(struct pw_error *err, int code, const char *fmt, ...) PW_PRINTF(3, 4);
void pw_error_clear(struct pw_error *err);
const char *pw_strerror(int code);

#endif
