/* Path confinement for capture files. See paths.h. */
#include "agent/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/limits.h"

static int mkdir_p(const char *dir, struct pw_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
        return pw_error_set(err, PW_ERR_ARG, "%s: path too long", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
            return pw_error_set(err, PW_ERR_IO, "%s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
        return pw_error_set(err, PW_ERR_IO, "%s: %s", tmp, strerror(errno));
    return 0;
}

int pw_path_root_open(const char *dir, int *root_fd, char *canon, size_t canon_cap,
                      struct pw_error *err)
{
    char real[PATH_MAX];
    int rc = mkdir_p(dir, err);
    if (rc)
        return rc;
    if (!realpath(dir, real))
        return pw_error_set(err, PW_ERR_IO, "%s: %s", dir, strerror(errno));
    if (snprintf(canon, canon_cap, "%s", real) >= (int)canon_cap)
        return pw_error_set(err, PW_ERR_ARG, "%s: path too long", real);
    int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return pw_error_set(err, PW_ERR_IO, "%s: %s", real, strerror(errno));
    *root_fd = fd;
    return 0;
}

int pw_path_confine(const char *root_canon, const char *in, char *rel, size_t rel_cap,
                    struct pw_error *err)
{
    size_t len = strnlen(in, PW_MAX_CAPTURE_PATH + 1);
    if (len == 0)
        return pw_error_set(err, PW_ERR_ARG, "path is empty");
    if (len > PW_MAX_CAPTURE_PATH)
        return pw_error_set(err, PW_ERR_ARG, "path is longer than %u characters",
                            PW_MAX_CAPTURE_PATH);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c == 0x7f)
            return pw_error_set(err, PW_ERR_ARG, "path contains a control character");
        if (c == '\\')
            return pw_error_set(err, PW_ERR_ARG, "path contains '\\'; use '/' as separator");
    }
    const char *p = in;
    if (in[0] == '/') {
        size_t rl = strlen(root_canon);
        /* "/" as root would make every absolute path acceptable; the root is
         * never "/" in practice, but keep the comparison exact anyway. */
        if (strncmp(in, root_canon, rl) != 0 || (in[rl] != '/' && !(rl == 1 && in[0] == '/')))
            return pw_error_set(err, PW_ERR_ARG,
                                "absolute path '%s' is outside the capture root %s", in,
                                root_canon);
        p = in + rl;
    }
    size_t out = 0;
    size_t ncomp = 0;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 1 && p[0] == '.') {
            p += n;
            continue;
        }
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return pw_error_set(err, PW_ERR_ARG, "'..' is not allowed in paths");
        if (n > 255)
            return pw_error_set(err, PW_ERR_ARG, "a path component is longer than 255 bytes");
        if (out + n + 2 > rel_cap)
            return pw_error_set(err, PW_ERR_ARG, "path too long");
        if (out)
            rel[out++] = '/';
        memcpy(rel + out, p, n);
        out += n;
        ncomp++;
        p += n;
    }
    rel[out] = '\0';
    if (ncomp == 0)
        return pw_error_set(err, PW_ERR_ARG, "path names no file");
    if (len && in[len - 1] == '/')
        return pw_error_set(err, PW_ERR_ARG, "path must name a file, not a directory");
    return 0;
}

/* Walks the directories of `rel` from root_fd without following symlinks,
 * creating missing ones if asked. Returns the parent's fd in *dfd and the
 * offset of the last component in *base_off. */
static int walk_parent(int root_fd, const char *rel, bool create, int *dfd, size_t *base_off,
                       struct pw_error *err)
{
    char comp[256];
    int fd = dup(root_fd);
    if (fd < 0)
        return pw_error_set(err, PW_ERR_IO, "dup: %s", strerror(errno));
    const char *p = rel;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - p);
        if (n == 0 || n >= sizeof(comp)) {
            close(fd);
            return pw_error_set(err, PW_ERR_ARG, "bad path '%s'", rel);
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT && create) {
            if (mkdirat(fd, comp, 0750) != 0 && errno != EEXIST) {
                int e = errno;
                close(fd);
                return pw_error_set(err, PW_ERR_IO, "cannot create directory '%.*s': %s",
                                    (int)(slash - rel), rel, strerror(e));
            }
            next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0) {
            int e = errno;
            close(fd);
            if (e == ELOOP || e == ENOTDIR)
                return pw_error_set(err, PW_ERR_ARG,
                                    "'%.*s' is a symlink or not a directory; capture paths may "
                                    "not go through symlinks",
                                    (int)(slash - rel), rel);
            return pw_error_set(err, PW_ERR_IO, "'%.*s': %s", (int)(slash - rel), rel, strerror(e));
        }
        close(fd);
        fd = next;
        p = slash + 1;
    }
    *dfd = fd;
    *base_off = (size_t)(p - rel);
    return 0;
}

int pw_path_create(int root_fd, const char *rel, int *fd, struct pw_error *err)
{
    int dfd;
    size_t off;
    int rc = walk_parent(root_fd, rel, true, &dfd, &off, err);
    if (rc)
        return rc;
    int f = openat(dfd, rel + off, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    int e = errno;
    close(dfd);
    if (f < 0) {
        if (e == EEXIST)
            return PW_PATH_EXISTS;
        return pw_error_set(err, PW_ERR_IO, "cannot create '%s': %s", rel, strerror(e));
    }
    *fd = f;
    return 0;
}

int pw_path_open_read(int root_fd, const char *rel, int *fd, struct pw_error *err)
{
    int dfd;
    size_t off;
    int rc = walk_parent(root_fd, rel, false, &dfd, &off, err);
    if (rc)
        return rc;
    int f = openat(dfd, rel + off, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(dfd);
    if (f < 0)
        return pw_error_set(err, PW_ERR_IO, "cannot open '%s': %s", rel, strerror(e));
    struct stat st;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return pw_error_set(err, PW_ERR_IO, "'%s' is not a regular file", rel);
    }
    *fd = f;
    return 0;
}

int pw_path_unlink(int root_fd, const char *rel, struct pw_error *err)
{
    int dfd;
    size_t off;
    int rc = walk_parent(root_fd, rel, false, &dfd, &off, err);
    if (rc)
        return rc;
    int r = unlinkat(dfd, rel + off, 0);
    int e = errno;
    close(dfd);
    if (r != 0 && e != ENOENT)
        return pw_error_set(err, PW_ERR_IO, "cannot remove '%s': %s", rel, strerror(e));
    return 0;
}

bool pw_path_exists(int root_fd, const char *rel)
{
    int fd;
    if (pw_path_open_read(root_fd, rel, &fd, NULL) != 0)
        return false;
    close(fd);
    return true;
}
