#include "stats/report.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    enum pw_report_kind kind;
    enum pw_conv_kind ckind;
} specs[] = {
    {"io,phs", PW_REP_PHS, 0},
    {"dests,tree", PW_REP_DESTS, 0},
    {"conv,tcp", PW_REP_CONV, PW_CT_TCP},
    {"conv,udp", PW_REP_CONV, PW_CT_UDP},
    {"conv,ip", PW_REP_CONV, PW_CT_IP},
    {"conv,eth", PW_REP_CONV, PW_CT_ETH},
    {"endpoints,ip", PW_REP_ENDPOINTS, PW_CT_IP},
    {"endpoints,tcp", PW_REP_ENDPOINTS, PW_CT_TCP},
    {"endpoints,udp", PW_REP_ENDPOINTS, PW_CT_UDP},
    {"endpoints,eth", PW_REP_ENDPOINTS, PW_CT_ETH},
};

int pw_report_parse(struct pw_report *r, const char *spec, struct pw_error *err)
{
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        size_t n = strlen(specs[i].name);
        if (strncmp(spec, specs[i].name, n) || (spec[n] != '\0' && spec[n] != ','))
            continue;
        r->kind = specs[i].kind;
        r->ckind = specs[i].ckind;
        snprintf(r->spec, sizeof(r->spec), "%s", specs[i].name);
        r->filter = spec[n] == ',' ? spec + n + 1 : NULL;
        return 0;
    }
    return pw_error_set(err, PW_ERR_ARG,
                        "invalid -z argument \"%s\" (supported: io,phs dests,tree conv,tcp "
                        "conv,udp conv,ip conv,eth endpoints,ip endpoints,tcp endpoints,udp "
                        "endpoints,eth, each optionally followed by ,FILTER)",
                        spec);
}

int pw_report_start(struct pw_report *r, struct pw_error *err)
{
    switch (r->kind) {
    case PW_REP_PHS: r->phs = pw_phs_new(); break;
    case PW_REP_DESTS: r->dests = pw_dests_new(); break;
    case PW_REP_CONV: r->conv = pw_convtab_new(r->ckind, 0); break;
    case PW_REP_ENDPOINTS: r->conv = pw_convtab_new(r->ckind, 1); break;
    }
    if (!r->phs && !r->dests && !r->conv)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    return 0;
}

void pw_report_packet(struct pw_report *r, const struct pw_record *rec,
                      const struct pw_packet *pkt)
{
    switch (r->kind) {
    case PW_REP_PHS: pw_phs_packet(r->phs, pkt); break;
    case PW_REP_DESTS: pw_dests_packet(r->dests, rec, pkt); break;
    case PW_REP_CONV:
    case PW_REP_ENDPOINTS: pw_convtab_packet(r->conv, rec, pkt); break;
    }
}

void pw_report_unmatched(struct pw_report *r, const struct pw_record *rec)
{
    /* times stay relative to the capture's first frame, matched or not */
    switch (r->kind) {
    case PW_REP_PHS: break;
    case PW_REP_DESTS: pw_dests_packet(r->dests, rec, NULL); break;
    case PW_REP_CONV:
    case PW_REP_ENDPOINTS: pw_convtab_packet(r->conv, rec, NULL); break;
    }
}

void pw_report_finish(struct pw_report *r)
{
    if (r->dests)
        pw_dests_finish(r->dests);
}

void pw_report_free(struct pw_report *r)
{
    pw_phs_free(r->phs);
    pw_dests_free(r->dests);
    pw_convtab_free(r->conv);
    r->phs = NULL;
    r->dests = NULL;
    r->conv = NULL;
}
