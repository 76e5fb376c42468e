/* See analysis.h: a placeholder until the analysis library lands. */
#include "agent/analysis.h"

json_t *pw_agent_analysis_json(const char *const *paths, size_t npaths, struct pw_error *err)
{
    (void)paths;
    (void)npaths;
    pw_error_set(err, PW_ERR_UNSUPPORTED, "analysis is not available in this build of pktwatchd");
    return NULL;
}
