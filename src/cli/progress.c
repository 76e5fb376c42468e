#include "cli/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

void pw_cli_progress_init(struct pw_cli_progress *p, const char *name)
{
    p->name = name;
    p->active = false;
}

void pw_cli_progress_cb(void *arg, uint64_t bytes, int64_t total, uint64_t packets)
{
    struct pw_cli_progress *p = arg;
    if (!isatty(STDERR_FILENO))
        return;
    p->active = true;
    if (total > 0)
        fprintf(stderr, "\r%s: %3d%% (%" PRIu64 " packets)", p->name,
                (int)(100.0 * (double)bytes / (double)total), packets);
    else
        fprintf(stderr, "\r%s: %" PRIu64 " packets", p->name, packets);
    fflush(stderr);
}

void pw_cli_progress_done(struct pw_cli_progress *p)
{
    if (p->active) {
        fputs("\r\033[K", stderr);
        p->active = false;
    }
}
