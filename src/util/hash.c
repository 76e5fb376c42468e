#include "util/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t gcry_once = PTHREAD_ONCE_INIT;

static void gcry_setup(void)
{
    /* libgcrypt must be initialised once before use; no secure memory is
     * needed for public file digests. */
    gcry_check_version(NULL);
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

static void hex(char *out, const unsigned char *d, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static int open_md(gcry_md_hd_t *h, struct pw_error *err)
{
    pthread_once(&gcry_once, gcry_setup);
    if (gcry_md_open(h, GCRY_MD_SHA256, 0) || gcry_md_enable(*h, GCRY_MD_RMD160) ||
        gcry_md_enable(*h, GCRY_MD_SHA1))
        return pw_error_set(err, PW_ERR_UNSUPPORTED, "libgcrypt lacks SHA256/RIPEMD160/SHA1");
    return 0;
}

static void finish_md(gcry_md_hd_t h, struct pw_digests *out)
{
    hex(out->sha256, gcry_md_read(h, GCRY_MD_SHA256), 32);
    hex(out->rmd160, gcry_md_read(h, GCRY_MD_RMD160), 20);
    hex(out->sha1, gcry_md_read(h, GCRY_MD_SHA1), 20);
    gcry_md_close(h);
}

int pw_hash_buffer(const uint8_t *p, size_t n, struct pw_digests *out, struct pw_error *err)
{
    gcry_md_hd_t h;
    int rc = open_md(&h, err);
    if (rc)
        return rc;
    gcry_md_write(h, p, n);
    finish_md(h, out);
    return 0;
}

int pw_hash_file(const char *path, struct pw_digests *out, struct pw_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_error_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    gcry_md_hd_t h;
    int rc = open_md(&h, err);
    if (rc) {
        close(fd);
        return rc;
    }
    static __thread unsigned char buf[1 << 16];
    for (;;) {
        ssize_t got = read(fd, buf, sizeof(buf));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = pw_error_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        gcry_md_write(h, buf, (size_t)got);
    }
    close(fd);
    if (rc) {
        gcry_md_close(h);
        return rc;
    }
    finish_md(h, out);
    return 0;
}
