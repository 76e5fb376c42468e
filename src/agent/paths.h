/* Capture file paths, confined to the capture root.
 *
 * A request path is either relative to the root or absolute and inside the
 * root's canonical path. It is normalised to a root-relative form ("a/b.cap")
 * with no "." or empty components; ".." is refused outright rather than
 * resolved, so the rule is obvious to the user.
 *
 * Every later access walks that relative path from a descriptor of the root
 * with openat(O_NOFOLLOW) one component at a time, so a symlink placed
 * anywhere under the root after the check still cannot lead outside it. */
#ifndef PW_AGENT_PATHS_H
#define PW_AGENT_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Returned by pw_path_create() when the file already exists. */
#define PW_PATH_EXISTS 1

/* Creates `dir` (and its parents) if needed and opens it. `canon` receives
 * its canonical absolute path. */
int pw_path_root_open(const char *dir, int *root_fd, char *canon, size_t canon_cap,
                      struct pw_error *err);

/* Normalises request path `in` against the root's canonical path. On
 * success `rel` holds the root-relative path. Returns PW_ERR_ARG with a
 * message saying what is wrong. */
int pw_path_confine(const char *root_canon, const char *in, char *rel, size_t rel_cap,
                    struct pw_error *err);

/* Creates `rel` exclusively (mode 0640), creating missing directories
 * (0750) on the way. Returns 0 with *fd open for writing, PW_PATH_EXISTS, or
 * a negative pw_err (a symlink on the way is PW_ERR_ARG). */
int pw_path_create(int root_fd, const char *rel, int *fd, struct pw_error *err);

/* Opens `rel` for reading without following symlinks. */
int pw_path_open_read(int root_fd, const char *rel, int *fd, struct pw_error *err);

/* Removes `rel`; a missing file is not an error. */
int pw_path_unlink(int root_fd, const char *rel, struct pw_error *err);

/* Whether `rel` names an existing regular file. */
bool pw_path_exists(int root_fd, const char *rel);

#endif
