#pragma once
// Messages of the system services started by init: svcmgr, policy, log, and init's own exec
// and proc (docs/userspace.md, "Services and their messages"). Every operation follows
// nx/rpc.h: label = operation, request struct in the bytes, status in reply word 0.
//
// Badges: init mints every handle it grants with the badge of the process it grants it to
// (one per process, kept across restarts), so a server knows who calls. Badge 0 is init's
// own unbadged handle: operations marked "init only" refuse every other badge
// (NX_ERR_ACCESS).
//
// Named handles a service finds with nx_startup_handle(): "serve" (the endpoint it receives
// on, made by init so that clients' handles outlive a restart), one per granted service
// under that service's name (e.g. "log", "svcmgr", "exec"), "mmio:DEV" (a physical VMO over
// the device's registers), "irq:N" (an IRQ object) with "irq:N:notif" (the notification it
// signals, bit NX_IRQ_BIT).
#include <stdint.h>
#include <nexus/handle.h>

#define NX_SVC_NAME_MAX 16   // service and client names, NUL included

// A badge bit init adds to one service grant written NAME:lock in the manifest (beside the
// process's number in bits 0-15 and init's own facets, exec 16 and proc 17): the holder of
// that handle may do what the service keeps for the login screen (the compositor: its lock
// layer, nx/wm.h). svcmgr mints a lookup's handle with the badge of the caller's svcmgr
// handle, which a manifest never gives this bit (grant svcmgr:lock to nobody), so no handle
// looked up carries it, nor any copy a session gets of the login screen's grants but that
// one handle, which the login screen never passes on.
#define NX_BADGE_LOCK (1u << 18)
#define NX_IRQ_BIT 1u

// The request of the init-only operations about one process (NX_SVCMGR_DISCONNECT,
// NX_LOG_DISCONNECT): the badge of a process that ended.
struct nx_badge_req {
    uint32_t badge;
};

// ---- svcmgr ----
enum {
    // bytes: the name, NUL-terminated; 1 handle: the endpoint, with MANAGE and DUPLICATE
    // (svcmgr mints each client its own badged handle from it). Errors: NX_ERR_BAD_STATE (the
    // name is taken), NX_ERR_INVALID (bad name or no handle), NX_ERR_NO_SPACE (table full).
    NX_SVCMGR_REGISTER = 0x56000001,
    // bytes: the name. Reply: 1 handle, badged with the caller's badge, with the rights the
    // policy gives. Errors: NX_ERR_NOT_FOUND (no such name), NX_ERR_ACCESS (policy says no).
    NX_SVCMGR_LOOKUP = 0x56000002,
    // bytes: struct nx_svcmgr_list_req. Reply bytes: names, each NUL-terminated, from the
    // index-th on, as many as fit; status = how many.
    NX_SVCMGR_LIST = 0x56000003,
    // init only. bytes: struct nx_badge_req. The process with this badge ended: the names it
    // registered are removed.
    NX_SVCMGR_DISCONNECT = 0x56000004,
};

struct nx_svcmgr_list_req {
    uint32_t index;
};

// ---- policy ----
enum {
    // init only. bytes: struct nx_policy_identify. The client with this badge is called name
    // (an empty name forgets the badge).
    NX_POLICY_IDENTIFY = 0x50000001,
    // init only. bytes: struct nx_policy_allow.
    NX_POLICY_ALLOW = 0x50000002,
    // bytes: struct nx_policy_check. Status NX_OK with reply struct nx_policy_rights, or
    // NX_ERR_ACCESS (denied: the policy service logs both names).
    NX_POLICY_CHECK = 0x50000003,
};

struct nx_policy_identify {
    uint32_t badge;
    char name[NX_SVC_NAME_MAX];
};

struct nx_policy_allow {
    char client[NX_SVC_NAME_MAX];   // or "*"
    char service[NX_SVC_NAME_MAX];
    uint32_t rights;                // NX_RIGHT_* of the client's handle
};

struct nx_policy_check {
    uint32_t badge;                 // the client asking
    char service[NX_SVC_NAME_MAX];  // what it wants to reach
};

struct nx_policy_rights {
    uint32_t rights;
};

// ---- log ----
enum {
    // init only. bytes: struct nx_policy_identify (badge -> name of the records' source; an
    // empty name forgets the badge).
    NX_LOG_IDENTIFY = 0x4c000001,
    // 1 handle: a ring VMO the caller made (nx_ring_create) and writes records into. Reply:
    // 1 handle, the notification to signal (nx/ring.h does it), bits in struct nx_log_connect.
    // Errors: NX_ERR_BAD_STATE (not a ring), NX_ERR_NO_SPACE (too many clients).
    NX_LOG_CONNECT = 0x4c000002,
    // bytes: struct nx_log_read_req. Reply: struct nx_log_read_rep then text lines
    // "[SSSS.UUUUUU] L source: text\n" for records seq >= since, as many as fit.
    NX_LOG_READ = 0x4c000003,
    // Reply: struct nx_log_stats.
    NX_LOG_STATS = 0x4c000005,
    // init only. bytes: struct nx_badge_req. The process with this badge ended: take what
    // its rings hold, then drop them.
    NX_LOG_DISCONNECT = 0x4c000006,
};

struct nx_log_connect {
    uint64_t bits;
};

struct nx_log_read_req {
    uint64_t since;
};

struct nx_log_read_rep {
    uint64_t next;  // the seq to ask for next
};

// A record in a log ring: this header, then the text.
struct nx_log_rec_hdr {
    uint32_t level;  // NX_LOG_*
};

struct nx_log_stats {
    uint64_t records;   // records taken since the log service started
    uint64_t dropped;   // records writers dropped because their ring was full
    uint64_t clients;   // rings connected now
    uint64_t take_instr; // instructions retired taking records out of rings (pop, stamp,
                         // store): over `records`, the service's cost per record
};

// ---- init: exec and proc ----
enum {
    // exec. bytes: struct nx_exec_req then the arguments (each NUL-terminated). Starts the
    // program from the boot archive with handles "svcmgr" (and "log") badged as a new client
    // named after the program. Status: its pid. Errors: those of nx_exec (NX_ERR_NOT_FOUND:
    // no such program), NX_ERR_NO_SPACE (init's process table is full), NX_ERR_BAD_STATE (a
    // service has that name: the program would pass for it with the policy).
    NX_EXEC_RUN = 0x45000001,
    // proc. bytes: struct nx_proc_list_req. Reply: struct nx_proc_entry[] from the index-th
    // process init started on; status = how many.
    NX_PROC_LIST = 0x45000002,
    // proc. bytes: struct nx_proc_kill_req. Kill a process init started (a restartable
    // service comes back). Errors: NX_ERR_NOT_FOUND, NX_ERR_BAD_STATE (not running).
    NX_PROC_KILL = 0x45000003,
    // proc. Power the machine off (does not return on success).
    NX_PROC_POWEROFF = 0x45000004,
};

struct nx_exec_req {
    char path[NX_SVC_NAME_MAX * 2];  // file in the boot archive
    uint32_t pages;                  // budget; 0: 256
    uint32_t priority;               // 0: the default (16)
};

struct nx_proc_list_req {
    uint32_t index;
};

enum nx_proc_entry_state {
    NX_PROC_ENTRY_RUNNING = 1,
    NX_PROC_ENTRY_BACKOFF = 2,   // died; will be restarted
    NX_PROC_ENTRY_EXITED = 3,    // gone for good (not restartable, or gave up)
};

// Harts of a process's threads that a list entry carries: its first threads'.
#define NX_PROC_ENTRY_HARTS 8

struct nx_proc_entry {
    uint32_t pid;        // the kernel's process id (of the current instance)
    uint32_t state;      // enum nx_proc_entry_state
    uint32_t priority;
    uint32_t restarts;
    uint64_t budget_pages;
    uint64_t used_pages;
    int64_t exit_status; // of the last instance that ended
    char name[NX_SVC_NAME_MAX];
    uint32_t threads;    // while running
    // The hart each of its first threads last ran on, oldest first (nx_process_info's
    // thread_hart; NX_HART_NONE: not yet run).
    uint8_t thread_hart[NX_PROC_ENTRY_HARTS];
};

struct nx_proc_kill_req {
    uint32_t pid;
};

// Look name up through this process's "svcmgr" handle: NX_OK and *ep (badged with this
// process's badge), or NX_ERR_NOT_FOUND (no such service, or no svcmgr handle),
// NX_ERR_ACCESS (the policy denies it), NX_ERR_TIMED_OUT (no answer within 2 s).
long nx_svc_lookup(const char *name, nx_handle_t *ep);
// A client library's handle to service name, found once and kept in *cache (which starts
// NX_HANDLE_INVALID): the handle init granted under that name if there is one, else
// nx_svc_lookup's. Two threads racing keep one handle. Errors: nx_svc_lookup's.
long nx_svc_find(const char *name, _Atomic nx_handle_t *cache, nx_handle_t *ep);
