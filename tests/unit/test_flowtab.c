#include "flow/flowtab.h"
#include "test.h"

struct val {
    uint32_t id;
    uint32_t hits;
};

static void make(struct pw_flow_key *k, uint32_t i, int *dir, int swap)
{
    uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
    uint8_t b[4] = {192, 168, 0, 1};
    if (swap)
        pw_flow_key_make(k, 4, 6, b, 80, a, (uint16_t)(1024 + i % 50000), dir);
    else
        pw_flow_key_make(k, 4, 6, a, (uint16_t)(1024 + i % 50000), b, 80, dir);
}

static void test_symmetric_key(void)
{
    struct pw_flow_key k1, k2;
    int d1, d2;
    make(&k1, 7, &d1, 0);
    make(&k2, 7, &d2, 1);
    CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
    CHECK(d1 != d2);
    /* endpoint 0 is the smaller address: 10.x < 192.168.0.1 */
    CHECK_EQ_INT(d1, 0);
}

static void test_same_address_orders_by_port(void)
{
    struct pw_flow_key k;
    int d;
    uint8_t a[4] = {127, 0, 0, 1};
    pw_flow_key_make(&k, 4, 17, a, 5000, a, 53, &d);
    CHECK_EQ_INT(d, 1);
    CHECK_EQ_INT(k.port[0], 53);
}

static void test_many_flows_grow_and_stay_put(void)
{
    struct pw_flowtab *t = pw_flowtab_new(sizeof(struct val), 0);
    enum { N = 200000 };
    static struct val *ptrs[N];
    for (uint32_t i = 0; i < N; i++) {
        struct pw_flow_key k;
        int d;
        bool created;
        make(&k, i, &d, 0);
        struct val *v = pw_flowtab_get(t, &k, &created);
        CHECK(v && created);
        if (!v)
            break;
        CHECK_EQ_INT(v->hits, 0);
        v->id = i;
        ptrs[i] = v;
    }
    CHECK_EQ_INT(pw_flowtab_count(t), N);
    for (uint32_t i = 0; i < N; i++) {
        struct pw_flow_key k;
        int d;
        bool created;
        make(&k, i, &d, 1); /* the reverse direction finds the same flow */
        struct val *v = pw_flowtab_get(t, &k, &created);
        CHECK(v == ptrs[i] && !created);
        if (v != ptrs[i])
            break;
        v->hits++;
    }
    struct pw_flow_key k;
    int d;
    make(&k, N + 5, &d, 0);
    CHECK(pw_flowtab_find(t, &k) == NULL);
    pw_flowtab_free(t);
}

static void count_order(void *value, void *arg)
{
    struct val *v = value;
    uint32_t *next = arg;
    if (v->id != *next)
        pw_t_case_failed = 1;
    (*next)++;
}

static void test_cap_and_order(void)
{
    struct pw_flowtab *t = pw_flowtab_new(sizeof(struct val), 100);
    for (uint32_t i = 0; i < 150; i++) {
        struct pw_flow_key k;
        int d;
        make(&k, i, &d, 0);
        struct val *v = pw_flowtab_get(t, &k, NULL);
        if (i < 100) {
            CHECK(v != NULL);
            if (v)
                v->id = i;
        } else {
            CHECK(v == NULL);
        }
    }
    CHECK_EQ_INT(pw_flowtab_overflows(t), 50);
    uint32_t next = 0;
    pw_flowtab_foreach(t, count_order, &next);
    CHECK_EQ_INT(next, 100);
    CHECK(pw_flowtab_memory(t) > 0);
    pw_flowtab_free(t);
}

TEST_MAIN(TEST_CASE(test_symmetric_key), TEST_CASE(test_same_address_orders_by_port),
          TEST_CASE(test_many_flows_grow_and_stay_put), TEST_CASE(test_cap_and_order))
