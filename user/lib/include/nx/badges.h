#pragma once
// Who is behind a badge: the table the log and policy services keep from what init tells them
// (NX_LOG_IDENTIFY, NX_POLICY_IDENTIFY). Pure (host-tested with the policy tables).
#include <stdint.h>

#define NX_BADGE_NAME_MAX 16   // with the NUL
#define NX_BADGE_NAMES 64

struct nx_badge_names {
    struct {
        uint32_t badge;        // 0: free (badge 0 is init's own, never a client)
        char name[NX_BADGE_NAME_MAX];
    } e[NX_BADGE_NAMES];
};

// Name badge (replacing an earlier name), or forget it when name is "". NX_ERR_INVALID for
// badge 0 or a name not NUL-terminated within NX_BADGE_NAME_MAX, NX_ERR_NO_SPACE.
int nx_badge_name_set(struct nx_badge_names *t, uint32_t badge, const char *name);
// The name of badge, or NULL.
const char *nx_badge_name(const struct nx_badge_names *t, uint32_t badge);

// The server side of NX_LOG_IDENTIFY and NX_POLICY_IDENTIFY: take the request's struct
// nx_policy_identify into t. NX_ERR_ACCESS unless it comes from init (badge 0); else as
// nx_badge_name_set.
struct nx_rpc_req;
long nx_badge_identify_op(struct nx_badge_names *t, const struct nx_rpc_req *req);
