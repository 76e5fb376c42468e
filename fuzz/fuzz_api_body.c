/* libFuzzer target: the create-request validator of pktwatchd
 * (pw_capreq_parse), which sees every PUT body before anything else does.
 *
 * The agent's sources are not part of libpktwatch.a, so the two files the
 * validator needs are compiled into this target directly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/paths.c"
#include "agent/request.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_capreq req;
    struct pw_api_err e;
    if (pw_capreq_parse((const char *)data, size, "fuzz", "/var/captures", &req, &e) != 0) {
        /* A refusal always carries a status and a message. */
        if (e.status < 400 || e.status > 499 || !e.msg[0])
            abort();
        return 0;
    }
    /* What is accepted stays inside the bounds the agent relies on. */
    size_t rl = strlen(req.rel_path);
    if (req.rel_path[0] == '/' || strncmp(req.rel_path, "../", 3) == 0 ||
        strstr(req.rel_path, "/../") || strstr(req.rel_path, "//") ||
        (rl >= 3 && strcmp(req.rel_path + rl - 3, "/..") == 0) ||
        strlen(req.filter) > PW_MAX_BPF_EXPR || req.nifaces == 0 ||
        req.nifaces > PW_MAX_TARGET_IFACES || !req.props)
        abort();
    if (req.continuous >= 0 && (req.file_count == 0 || req.file_size == 0))
        abort();
    pw_capreq_clear(&req);
    return 0;
}
