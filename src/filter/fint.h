/* Internal interfaces of the display-filter compiler and VM (src/filter/).
 *
 * Pipeline: lexer.c turns the text into tokens, parser.c builds an AST by
 * recursive descent, semcheck.c resolves names against the field registry,
 * checks types and turns literals into constants, compile.c flattens the
 * tree into an instruction array, vm.c runs it per packet.
 *
 * All compiler state lives in struct pwf_comp, whose arena owns every token,
 * node and string until compilation ends; the compiled struct pw_filter
 * owns its own (smaller) memory. Nothing here is global. */
#ifndef PW_FILTER_FINT_H
#define PW_FILTER_FINT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/field.h"
#include "dissect/packet.h"
#include "filter/filter.h"
#include "util/error.h"

/* ---- limits (bounds on what an expression can make us allocate) -------- */

/* Longest expression accepted (characters). */
#define PWF_MAX_EXPR 65536u
/* Deepest nesting of parentheses, negations, slices and calls. */
#define PWF_MAX_DEPTH 256u
/* Registers (values the program computes); bounds the per-filter memory. */
#define PWF_MAX_REGS 1024u
/* Occurrences one register holds; further occurrences are ignored. */
#define PWF_MAX_OCC 256u
/* Scratch bytes a register may use for values it builds (slices of several
 * ranges, upper(), string(), frame.protocols). */
#define PWF_SCRATCH 8192u
/* Protocols that may publish a field under the same name. */
#define PWF_MAX_VARIANTS 4u
/* PCRE2 limits for `matches`, so that a pathological pattern cannot make one
 * packet take forever. */
#define PWF_PCRE_MATCH_LIMIT 100000u
#define PWF_PCRE_DEPTH_LIMIT 10000u

/* ---- arena ------------------------------------------------------------- */

struct pwf_chunk;

struct pwf_arena {
    struct pwf_chunk *head;
    size_t total;
};

void *pwf_arena_alloc(struct pwf_arena *a, size_t n); /* zeroed; NULL when out of memory */
char *pwf_arena_strndup(struct pwf_arena *a, const char *s, size_t n);
void pwf_arena_free(struct pwf_arena *a);

/* ---- tokens ------------------------------------------------------------ */

enum pwf_tok {
    TK_EOF = 0,
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACE,
    TK_RBRACE,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOTDOT,
    TK_HASH,
    TK_DOLLAR,
    /* comparisons */
    TK_EQ,     /* == eq any_eq */
    TK_NE,     /* != ne all_ne */
    TK_ALL_EQ, /* === all_eq */
    TK_ANY_NE, /* !== ~= any_ne */
    TK_GT,
    TK_GE,
    TK_LT,
    TK_LE,
    TK_CONTAINS,
    TK_MATCHES, /* matches ~ */
    TK_IN,
    /* logic */
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_ANY,
    TK_ALL,
    /* arithmetic */
    TK_PLUS,
    TK_MINUS,
    TK_STAR,
    TK_SLASH,
    TK_PERCENT,
    TK_BITAND,
    /* values */
    TK_WORD,      /* field name or literal, decided by the registry */
    TK_FIELD,     /* .name: a field, explicitly */
    TK_LITERAL,   /* a literal, explicitly (MAC, IP, byte string, :hex) */
    TK_STRING,    /* "..." (decoded) */
    TK_CHARCONST, /* 'c' */
    TK_INDEX,     /* digits after '#' */
    TK_RANGE,     /* one range inside [...] */
    TK_ERROR,     /* where the lexer failed: its error is reported only if
                     the parser gets this far, as tshark's on-demand scanner */
};

struct pwf_token {
    uint8_t kind;
    bool raw;         /* r"..." */
    uint32_t off;     /* byte offset in the expression */
    uint32_t len;     /* bytes of source text */
    const char *text; /* decoded value, NUL-terminated (arena) */
    uint32_t tlen;    /* bytes of text (strings may hold NULs) */
    int64_t num;      /* TK_CHARCONST: the character's value */
};

/* ---- syntax tree ------------------------------------------------------- */

enum pwf_nkind {
    N_FIELD,     /* field or protocol, optional #layers */
    N_LITERAL,   /* unparsed word or explicit literal */
    N_STRING,    /* "..." */
    N_CHARCONST, /* 'c' */
    N_REF,       /* ${field}: a reference to the selected packet (none here) */
    N_SLICE,     /* a[ranges] */
    N_FUNC,      /* name(args) */
    N_ARITH,     /* a op b */
    N_NEG,       /* -a */
    N_CMP,       /* a op b, with a quantifier */
    N_IN,        /* a in {set} */
    N_AND,
    N_OR,
    N_NOT,
    N_TEST,  /* a value used as a test: existence, or non-zero for arithmetic */
    N_CONST, /* after semcheck: a literal converted to its type */
};

/* One range of a slice or a layer list. */
enum pwf_rkind {
    R_START_LEN, /* i:n  (also :n, i.e. 0:n) */
    R_START_END, /* i-j  inclusive */
    R_SINGLE,    /* i */
    R_TO_END,    /* i: */
};

struct pwf_range {
    uint8_t kind;
    int32_t a, b;
};

enum pwf_quant {
    Q_ANY = 0,  /* some pair satisfies the relation (except != and ===) */
    Q_ALL,      /* "all": every pair does (and there is at least one) */
    Q_ANY_WORD, /* "any" written out: some pair, even for != and === */
};

enum pwf_func {
    FN_LEN,
    FN_COUNT,
    FN_UPPER,
    FN_LOWER,
    FN_STRING,
    FN_MAX,
    FN_MIN,
    FN_ABS,
};

struct pwf_const;

struct pwf_node {
    uint8_t kind;  /* enum pwf_nkind */
    uint8_t op;    /* N_CMP / N_ARITH: the token (TK_EQ, TK_PLUS, ...) */
    uint8_t quant; /* N_CMP */
    uint8_t fn;    /* N_FUNC: enum pwf_func */
    uint8_t ty;    /* semcheck: the value's type (enum pw_ftype) */
    bool has_layers;
    uint32_t off, len; /* source span, for messages */
    const char *text;  /* N_LITERAL / N_STRING / N_FUNC name / N_FIELD name */
    uint32_t tlen;
    int64_t num;                  /* N_CHARCONST */
    const struct pw_field *field; /* N_FIELD / N_REF: NULL for a protocol */
    uint16_t proto;               /* the protocol the value is read from */
    struct pwf_range *ranges;     /* N_SLICE ranges, or N_FIELD layers */
    uint16_t nranges;
    struct pwf_node *a, *b;
    struct pwf_node **args; /* N_FUNC arguments; N_IN set elements (low ends) */
    struct pwf_node **hi;   /* N_IN: high ends of ranges (NULL entries: single values) */
    uint16_t nargs;
    struct pwf_const *c; /* N_CONST */
};

/* ---- constants and the program ----------------------------------------- */

struct pwf_const {
    struct pw_fvalue v;
    uint8_t ty;
    uint8_t plen; /* IPv4/IPv6 prefix length (32 / 128: the whole address) */
};

/* Comparison classes: how two values of a (checked) type compare. */
enum pwf_cls {
    CLS_UINT,
    CLS_INT,
    CLS_BOOL,
    CLS_IPV4,
    CLS_IPV6,
    CLS_ETHER,
    CLS_BYTES, /* bytes, strings, protocols, slices: memcmp then length */
    CLS_TIME,
    CLS_DOUBLE,
};

enum pwf_op {
    OP_RET,      /* return acc */
    OP_LOAD,     /* r[dst] = occurrences of field `field` (layers in rng) */
    OP_LOADP,    /* r[dst] = bytes of every layer of protocol `proto` */
    OP_EXISTS,   /* acc = field present */
    OP_EXISTSP,  /* acc = protocol present */
    OP_EMPTY,    /* r[dst] = nothing (references) */
    OP_JEMPTY,   /* if r[a] is empty: acc = false, goto arg */
    OP_SLICE,    /* r[dst] = r[a][ranges] */
    OP_FUNC,     /* r[dst] = fn(r[args...]) */
    OP_ARITH,    /* r[dst] = r[a] op r[b] */
    OP_NEG,      /* r[dst] = -r[a] */
    OP_CMP,      /* acc = r[a] op r[b] (quantifier) */
    OP_IN,       /* acc = some value of r[a] is in set `arg` */
    OP_CONTAINS, /* acc = some value of r[a] contains some value of r[b] */
    OP_MATCHES,  /* acc = some value of r[a] matches regex `arg` */
    OP_NONZERO,  /* acc = some value of r[a] is non-zero / non-empty */
    OP_NOT,      /* acc = !acc */
    OP_JF,       /* if !acc goto arg */
    OP_JT,       /* if acc goto arg */
    OP_TRUE,     /* acc = true */
};

/* OP_CMP / OP_IN: the left side has an unsigned type. As in tshark, a
 * non-negative value of it does not compare with a negative one at all
 * (the conversion fails): tcp.srcport - tcp.dstport > -1 holds for no pair
 * whose difference is positive. */
#define PWF_F_UNS_LHS 1u

struct pwf_set {
    uint16_t n;
    uint16_t *lo, *hi; /* registers; hi[i] == lo[i] for single values */
};

struct pwf_insn {
    uint8_t op;    /* enum pwf_op */
    uint8_t cmp;   /* OP_CMP / OP_ARITH: the token; OP_FUNC: enum pwf_func */
    uint8_t quant; /* OP_CMP */
    uint8_t cls;   /* enum pwf_cls */
    uint8_t ty;    /* result type (OP_ARITH, OP_FUNC, OP_NEG) */
    uint8_t flags; /* PWF_F_* */
    uint16_t dst, a, b;
    uint32_t arg;                 /* jump target, set or regex index, argument count */
    const struct pw_field *field; /* OP_LOAD / OP_EXISTS */
    /* every registry entry with field's name, one per protocol that
     * publishes it (ip.version is read from IPv4 and IPv6 headers) */
    const struct pw_field *var[PWF_MAX_VARIANTS];
    uint8_t nvar;
    uint16_t proto;              /* OP_LOADP / OP_EXISTSP, and OP_LOAD's layer protocol */
    const struct pwf_range *rng; /* OP_SLICE ranges, OP_LOAD layers */
    uint16_t nrng;
    const uint16_t *args; /* OP_FUNC argument registers */
};

/* A register: the occurrences of one value. Constant registers are filled
 * at compile time and never written by the program. */
struct pwf_reg {
    struct pw_fvalue *v;
    uint8_t *plen; /* constants only: IPv4/IPv6 prefix per value, or NULL */
    uint32_t n, cap;
    uint8_t *scratch; /* bytes for values this register builds */
    uint32_t sused, scap;
};

struct pw_filter {
    char *text;
    struct pwf_insn *code;
    uint32_t ncode;
    struct pwf_reg *regs;
    uint32_t nregs;
    struct pwf_set *sets;
    uint32_t nsets;
    pcre2_code **re;
    pcre2_match_data **md;
    pcre2_match_context *mctx;
    uint32_t nre;
    struct pwf_range *ranges; /* storage for all ranges used by code */
    uint16_t *argv;           /* storage for OP_FUNC argument lists */
    char **names;             /* fields and protocols the filter reads (owned) */
    uint32_t nnames;
    struct pwf_const *consts; /* for --explain */
    uint32_t nconsts;
    bool match_all; /* empty expression */
};

/* ---- the compiler ------------------------------------------------------ */

struct pwf_comp {
    const char *src;
    size_t srclen;
    struct pwf_arena arena;
    struct pw_error *err;
    size_t err_len; /* underline length of the error */
    bool failed;

    struct pwf_token *toks;
    uint32_t ntoks, pos;
    struct pw_error lexerr; /* the lexer's error, replayed at TK_ERROR */
    size_t lexerr_len;
    uint32_t depth;

    struct pwf_node *root;
    uint32_t nregs_guess;
};

/* Records the first error (message like tshark's, offset, underline length);
 * returns NULL so callers can `return pwf_fail(...)`. */
void *pwf_fail(struct pwf_comp *c, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Out of memory. */
void *pwf_nomem(struct pwf_comp *c);

/* The registry entries named like f (f first), at most PWF_MAX_VARIANTS. */
unsigned pwf_field_variants(const struct pw_field *f, const struct pw_field **out);

int pwf_lex(struct pwf_comp *c);
struct pwf_node *pwf_parse(struct pwf_comp *c);
int pwf_semcheck(struct pwf_comp *c, struct pwf_node *root);
int pwf_compile(struct pwf_comp *c, struct pwf_node *root, struct pw_filter *f);

/* A pseudo type for pwf_const_from_node(): the right side of "contains" on
 * an Ethernet address, up to six bytes of one. */
#define PWF_ETHER_PARTIAL 0xfe

/* Literal parsers (literal.c): each returns 0, or -1 after pwf_fail() with
 * tshark's wording, for the node's span. */
struct pwf_const *pwf_const_from_node(struct pwf_comp *c, struct pwf_node *n, uint8_t ty,
                                      const char *field_name);

/* Type helpers (semcheck.c) */
const char *pwf_type_name(uint8_t ty);   /* "Unsigned integer (2 bytes)" */
const char *pwf_type_ftname(uint8_t ty); /* "FT_UINT16" */
bool pwf_type_is_int(uint8_t ty);        /* integer-valued (incl. frame numbers) */
bool pwf_type_is_signed(uint8_t ty);
bool pwf_type_is_bytes(uint8_t ty); /* compared as byte strings */
uint64_t pwf_type_umax(uint8_t ty);
uint8_t pwf_type_cls(uint8_t ty);
unsigned pwf_type_width(uint8_t ty); /* bytes of an integer item */

#endif
