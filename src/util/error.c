#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pw_error_set(struct pw_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void pw_error_clear(struct pw_error *err)
{
    if (err) {
        err->code = 0;
        err->offset = 0;
        err->msg[0] = '\0';
    }
}

const char *pw_strerror(int code)
{
    switch (code) {
    case PW_OK: return "success";
    case PW_ERR_IO: return "input/output error";
    case PW_ERR_FORMAT: return "bad file format";
    case PW_ERR_CUT_SHORT: return "file cut short in the middle of a record";
    case PW_ERR_NOMEM: return "out of memory";
    case PW_ERR_ARG: return "invalid argument";
    case PW_ERR_UNSUPPORTED: return "not supported";
    case PW_ERR_LIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}
