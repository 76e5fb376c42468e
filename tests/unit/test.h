/* A minimal unit-test harness: each tests/unit/test_<module>.c is its own
 * program; it lists its cases in a table and prints one `PASS name` or
 * `FAIL name` line per case, which tests/run.sh counts. */
#ifndef PW_TEST_H
#define PW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pw_t_case_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            pw_t_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long pw_t_a = (long long)(a), pw_t_b = (long long)(b);                                \
        if (pw_t_a != pw_t_b) {                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__,  \
                    #a, #b, pw_t_a, pw_t_b);                                                       \
            pw_t_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *pw_t_a = (a), *pw_t_b = (b);                                                   \
        if (!pw_t_a || !pw_t_b || strcmp(pw_t_a, pw_t_b) != 0) {                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__,        \
                    __LINE__, #a, #b, pw_t_a ? pw_t_a : "(null)", pw_t_b ? pw_t_b : "(null)");     \
            pw_t_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

struct pw_t_case {
    const char *name;
    void (*fn)(void);
};

#define TEST_CASE(fn) {#fn, fn}

static inline int pw_t_run_all(const struct pw_t_case *cases, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        pw_t_case_failed = 0;
        cases[i].fn();
        printf("%s %s\n", pw_t_case_failed ? "FAIL" : "PASS", cases[i].name);
        failed += pw_t_case_failed;
    }
    return failed ? 1 : 0;
}

#define TEST_MAIN(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        static const struct pw_t_case pw_t_cases[] = {__VA_ARGS__};                                \
        return pw_t_run_all(pw_t_cases, sizeof(pw_t_cases) / sizeof(pw_t_cases[0]));              \
    }

#endif
