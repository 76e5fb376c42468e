/* Progress on standard error for long reads, only when it is a terminal. */
#ifndef PW_CLI_PROGRESS_H
#define PW_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct pw_cli_progress {
    const char *name;
    bool active; /* stderr is a terminal and output was drawn */
};

void pw_cli_progress_init(struct pw_cli_progress *p, const char *name);
void pw_cli_progress_cb(void *arg, uint64_t bytes, int64_t total, uint64_t packets);
void pw_cli_progress_done(struct pw_cli_progress *p);

#endif
