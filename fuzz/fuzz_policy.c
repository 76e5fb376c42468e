/* libFuzzer target: the alert policy parser (src/classify/policy.c).
 *
 * Properties checked, beyond "no crash, no leak, no undefined behaviour":
 *  - a rejected text has a message that starts "fuzz:LINE:" with LINE the
 *    line of the problem (1 .. lines in the text + 1);
 *  - an accepted policy keeps every table within its limit, every port
 *    range ordered and every prefix within its address length;
 *  - writing an accepted policy out (pw_policy_write) and parsing that text
 *    gives the same policy again (line numbers aside). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct text {
    char *buf;
    size_t len, cap;
};

static void add_line(void *arg, const char *line)
{
    struct text *t = arg;
    size_t n = strlen(line);
    if (t->len + n + 2 > t->cap) {
        size_t nc = (t->cap ? t->cap * 2 : 4096) + n;
        char *nb = realloc(t->buf, nc);
        if (!nb)
            abort();
        t->buf = nb;
        t->cap = nc;
    }
    memcpy(t->buf + t->len, line, n);
    t->len += n;
    t->buf[t->len++] = '\n';
}

static void check_ports(const struct pw_policy_portlist *l)
{
    if (l->n > PW_POLICY_MAX_PORTS)
        abort();
    for (uint16_t i = 0; i < l->n; i++)
        if (l->p[i].lo > l->p[i].hi ||
            (l->p[i].proto != 0 && l->p[i].proto != 6 && l->p[i].proto != 17))
            abort();
}

static void check(const struct pw_policy *p)
{
    if (p->napps > PW_POLICY_MAX_RULES || p->ncats > PW_POLICY_MAX_RULES ||
        p->nservices > PW_POLICY_MAX_SERVICES || p->nappports > PW_POLICY_MAX_APPPORTS)
        abort();
    for (uint32_t i = 0; i < p->napps; i++)
        if (!p->apps[i].name[0] || p->apps[i].sev >= PW_SEV__COUNT)
            abort();
    for (uint32_t i = 0; i < p->ncats; i++)
        if (!p->cats[i].name[0] || p->cats[i].sev >= PW_SEV__COUNT)
            abort();
    for (uint32_t i = 0; i < p->nservices; i++) {
        const struct pw_policy_service *s = &p->services[i];
        if ((s->family == 4 && s->prefix > 32) || (s->family == 6 && s->prefix > 128) ||
            (s->family == 0 && s->prefix != 0))
            abort();
        check_ports(&s->ports);
    }
    for (uint32_t i = 0; i < p->nappports; i++)
        check_ports(&p->appports[i].ports);
    if (p->thr.classify_packets < 1 || p->thr.classify_packets > PW_CLS_MAX_PACKETS ||
        p->thr.scan_max_answered_pct > 100)
        abort();
}

static bool same_rules(const struct pw_policy_rule *a, const struct pw_policy_rule *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(a[i].name, b[i].name) || a[i].sev != b[i].sev)
            return false;
    return true;
}

static bool same_ports(const struct pw_policy_portlist *a, const struct pw_policy_portlist *b)
{
    if (a->n != b->n)
        return false;
    for (uint16_t i = 0; i < a->n; i++)
        if (a->p[i].proto != b->p[i].proto || a->p[i].lo != b->p[i].lo || a->p[i].hi != b->p[i].hi)
            return false;
    return true;
}

static bool same(const struct pw_policy *a, const struct pw_policy *b)
{
    if (memcmp(a->kind_sev, b->kind_sev, sizeof(a->kind_sev)) ||
        memcmp(&a->thr, &b->thr, sizeof(a->thr)) || a->napps != b->napps || a->ncats != b->ncats ||
        a->nservices != b->nservices || a->nappports != b->nappports)
        return false;
    if (!same_rules(a->apps, b->apps, a->napps) || !same_rules(a->cats, b->cats, a->ncats))
        return false;
    for (uint32_t i = 0; i < a->nservices; i++) {
        const struct pw_policy_service *x = &a->services[i], *y = &b->services[i];
        if (x->family != y->family || x->prefix != y->prefix ||
            memcmp(x->addr, y->addr, sizeof(x->addr)) || !same_ports(&x->ports, &y->ports))
            return false;
    }
    for (uint32_t i = 0; i < a->nappports; i++)
        if (strcmp(a->appports[i].name, b->appports[i].name) ||
            !same_ports(&a->appports[i].ports, &b->appports[i].ports))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pw_policy *p, *q;
    if (!p) {
        p = pw_policy_new();
        q = pw_policy_new();
        if (!p || !q)
            abort();
    }
    pw_policy_clear(p);
    struct pw_error err;
    memset(&err, 0, sizeof(err));
    /* an exact-size copy, so that reads past the input are caught */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    int rc = pw_policy_parse(p, text, size, "fuzz", &err);
    if (rc < 0) {
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += text[i] == '\n';
        char where[32];
        snprintf(where, sizeof(where), "fuzz:%llu:", (unsigned long long)err.offset);
        if (rc != PW_ERR_FORMAT && rc != PW_ERR_LIMIT)
            abort();
        if (err.offset < 1 || err.offset > lines || strncmp(err.msg, where, strlen(where)))
            abort();
        free(text);
        return 0;
    }
    free(text);
    check(p);
    struct text out = {0};
    pw_policy_write(p, add_line, &out);
    pw_policy_clear(q);
    if (pw_policy_parse(q, out.buf, out.len, "written", &err) < 0) {
        fprintf(stderr, "written policy does not parse: %s\n%.*s", err.msg, (int)out.len, out.buf);
        abort();
    }
    if (!same(p, q)) {
        fprintf(stderr, "round trip changed the policy:\n%.*s", (int)out.len, out.buf);
        abort();
    }
    free(out.buf);
    return 0;
}
