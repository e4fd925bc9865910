// Sockets' control side (sys/socket.h, nx/socket.h, docs/network.md "Sockets"): the stack's
// endpoint, the process's notification and the watch on the stack, and the calls that are a
// request to the stack (socket, bind, listen, accept, connect, shutdown, close). Data moves
// in socket_io.c.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include "internal.h"
#include "socket_impl.h"

// A request the stack answers at once; more means it hangs or is gone.
#define STACK_DEADLINE_NS 5000000000ull

struct nx_sock nx_socks[NX_SOCKET_MAX];

static struct {
    nx_handle_t ep;           // the stack's endpoint (granted or looked up)
    nx_handle_t notif;        // ours: WAIT here, SIGNAL handed to the stack
    nx_handle_t stack_notif;  // the current stack's (SIGNAL), with its process (READ)
    nx_handle_t stack_proc;
} net;

static int fail(int e)
{
    errno = e;
    return -1;
}

static uint64_t deadline(void)
{
    return (uint64_t)nx_clock_get() + STACK_DEADLINE_NS;
}

nx_handle_t nx_sock_notif(void)
{
    if (net.notif == NX_HANDLE_INVALID) {
        long n = nx_notification_create();
        net.notif = n > 0 ? (nx_handle_t)n : NX_HANDLE_INVALID;
    }
    return net.notif;
}

// The endpoint: the "net" grant, or svcmgr's answer (the policy may refuse: EACCES).
static int endpoint(nx_handle_t *ep)
{
    if (net.ep == NX_HANDLE_INVALID)
        net.ep = nx_startup_handle(NX_NET_SERVICE);
    if (net.ep == NX_HANDLE_INVALID) {
        long err = nx_svc_lookup(NX_NET_SERVICE, &net.ep);
        if (err == NX_ERR_NOT_FOUND && nx_startup_handle("svcmgr") != NX_HANDLE_INVALID)
            return ENETDOWN;   // svcmgr knows no stack
        if (err)
            return EACCES;     // no grant, and svcmgr (or its policy) gives none
    }
    *ep = net.ep;
    return 0;
}

static bool stack_alive(void)
{
    long status;
    return net.stack_proc != NX_HANDLE_INVALID &&
           nx_process_status(net.stack_proc, &status) == NX_ERR_BAD_STATE;
}

// The stack died: its sockets fail from now on; the next socket reaches its successor.
static void stack_gone(void)
{
    for (int i = 0; i < NX_SOCKET_MAX; i++)
        if (nx_socks[i].used)
            nx_socks[i].dead = true;
    if (net.stack_proc != NX_HANDLE_INVALID) {
        nx_handle_close(net.stack_proc);
        nx_handle_close(net.stack_notif);
    }
    net.stack_proc = net.stack_notif = NX_HANDLE_INVALID;
}

static void take_bits(uint64_t bits)
{
    // A watch of a stack we already replaced may fire late: only the current one's counts.
    if ((bits & NX_NET_APP_BIT_STACK_GONE) && net.stack_proc != NX_HANDLE_INVALID &&
        !stack_alive())
        stack_gone();
}

long nx_sock_wait(uint64_t deadline_ns)
{
    uint64_t bits = 0;
    nx_handle_t n = nx_sock_notif();
    if (n == NX_HANDLE_INVALID)
        return NX_ERR_NO_MEMORY;
    long err = deadline_ns ? nx_notify_wait_bits(n, deadline_ns, &bits)
                           : nx_notify_poll_bits(n, &bits);
    take_bits(bits);
    return !err && !bits ? NX_ERR_TIMED_OUT : err;
}

void nx_sock_kick(const struct nx_sock *s)
{
    if (!s->dead && net.stack_notif != NX_HANDLE_INVALID)
        nx_notify_signal(net.stack_notif, (long)NX_NET_STACK_BIT(s->id));
}

// The stack that answered NX_NET_SOCKET: keep its handles and watch it, unless it is the one
// we know (then these are copies).
static void adopt_stack(struct nx_rpc_handles *h, struct nx_sock *fresh)
{
    if (stack_alive()) {
        nx_rpc_close_handles(h);
        return;
    }
    if (net.stack_proc != NX_HANDLE_INVALID) {   // it died and was replaced unseen
        fresh->used = false;
        stack_gone();
        fresh->used = true;
    }
    net.stack_notif = h->h[0];
    net.stack_proc = h->h[1];
    h->count = 0;
    nx_process_watch(net.stack_proc, net.notif, NX_NET_APP_BIT_STACK_GONE);
}

// A call to the stack about socket s: NX_OK, or errno set and -1.
static int stack_call(uint32_t op, const void *req, size_t len)
{
    nx_handle_t ep;
    int e = endpoint(&ep);
    if (e)
        return fail(e);
    long err = nx_rpc_call(ep, op, req, len, NULL, 0, deadline());
    return err < 0 ? fail(nx_sock_errno(err)) : 0;
}

// Every socket still open, closed at exit (nx_socket_exit_hook).
static void close_all(void)
{
    for (int i = 0; i < NX_SOCKET_MAX; i++)
        if (nx_socks[i].used)
            nx_socket_close(NX_SOCKET_FD_BASE + i);
}

void nx_socket_forget(void)
{
    memset(nx_socks, 0, sizeof nx_socks);
    memset(&net, 0, sizeof net);
    nx_socket_exit_hook = NULL;
}

// A new slot with its VMO mapped and formatted; NULL with errno set.
static struct nx_sock *sock_new(int type)
{
    int i = nx_sock_slot_free(nx_socks, NX_SOCKET_MAX);
    if (i < 0) {
        errno = EMFILE;
        return NULL;
    }
    struct nx_sock *s = &nx_socks[i];
    nx_handle_t vmo;
    long va = nx_map_new_vmo(NX_NET_SOCK_VMO_SIZE, &vmo);
    if (va < 0) {   // NO_SPACE: this process's mappings are all used
        errno = va == NX_ERR_NO_SPACE ? EMFILE : ENOMEM;
        return NULL;
    }
    *s = (struct nx_sock){ .type = (uint8_t)type, .vmo = vmo };
    nx_sock_rings(s, (void *)va, true);
    nx_socket_exit_hook = close_all;
    return s;
}

static void sock_free(struct nx_sock *s)
{
    nx_vm_unmap(nx_self, (uint64_t)s->mem, NX_NET_SOCK_VMO_SIZE);
    nx_handle_close(s->vmo);
    *s = (struct nx_sock){ 0 };
}

static int fd_of(const struct nx_sock *s)
{
    return NX_SOCKET_FD_BASE + (int)(s - nx_socks);
}

// A duplicate of h with rights (and the right to send it) into hs's next entry.
static long hand_over(struct nx_rpc_handles *hs, nx_handle_t h, uint32_t rights)
{
    long d = nx_handle_duplicate(h, rights | NX_RIGHT_TRANSFER);
    if (d < 0)
        return d;
    hs->h[hs->count] = (nx_handle_t)d;
    hs->rights[hs->count++] = NX_RIGHTS_SAME;
    return NX_OK;
}

// NX_NET_SOCKET for s: its VMO, our notification, our process.
static long register_socket(struct nx_sock *s, nx_handle_t ep)
{
    struct nx_net_socket_req req = { s->type, (uint32_t)(s - nx_socks) };
    struct nx_net_socket_rep rep;
    struct nx_rpc_call c = { .op = NX_NET_SOCKET, .req = &req, .req_len = sizeof req,
                             .rep = &rep, .rep_cap = sizeof rep, .deadline = deadline() };
    long err = hand_over(&c.send, s->vmo, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP);
    if (!err)
        err = hand_over(&c.send, net.notif, NX_RIGHT_SIGNAL | NX_RIGHT_DUPLICATE);   // accepted sockets share it
    if (!err)
        err = hand_over(&c.send, nx_self, NX_RIGHT_READ);
    if (!err)
        err = nx_rpc(ep, &c);
    else
        nx_rpc_close_handles(&c.send);
    if (err >= 0 && (c.recv.count != 2 || c.rep_len != sizeof rep))
        err = NX_ERR_BAD_STATE;
    if (err < 0) {
        nx_rpc_close_handles(&c.recv);
        return err;
    }
    s->id = rep.id;
    adopt_stack(&c.recv, s);
    return NX_OK;
}

int socket(int domain, int type, int protocol)
{
    int e = 0;
    if (domain != AF_INET)
        return fail(EAFNOSUPPORT);
    int kind = nx_sock_type(type, protocol, &e);
    if (!kind)
        return fail(e);
    int fd = nx_sock_open(kind);
    if (fd >= 0)
        nx_socks[fd - NX_SOCKET_FD_BASE].nonblock = (type & SOCK_NONBLOCK) != 0;
    return fd;
}

int nx_sock_open(int kind)
{
    int e;
    nx_handle_t ep;
    if ((e = endpoint(&ep)) || nx_sock_notif() == NX_HANDLE_INVALID)
        return fail(e ? e : ENOMEM);
    nx_sock_wait(0);   // a death already signalled is seen before we pick a stack
    struct nx_sock *s = sock_new(kind);
    if (!s)
        return -1;
    s->used = true;
    long err = register_socket(s, ep);
    if (err) {
        sock_free(s);
        return fail(err == NX_ERR_BAD_STATE ? EIO : nx_sock_errno(err));
    }
    return fd_of(s);
}

struct nx_sock *nx_sock_live(int fd)
{
    struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, fd);
    if (!s)
        errno = fd >= 0 && fd < 3 + NX_FILE_MAX ? ENOTSOCK : EBADF;   // stdio and files: 0 .. 18
    else if (s->dead)
        errno = ENETDOWN;
    return s && !s->dead ? s : NULL;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct nx_sock *s = nx_sock_live(fd);
    struct nx_net_bind_req req;
    int e = s ? nx_sock_addr_in(addr, len, &req.addr) : 0;
    if (!s || e)
        return s ? fail(e) : -1;
    req.id = s->id;
    req.reserved = 0;
    return stack_call(NX_NET_BIND, &req, sizeof req);
}

int listen(int fd, int backlog)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    if (s->type != NX_NET_SOCK_STREAM)
        return fail(EOPNOTSUPP);
    struct nx_net_listen_req req = { s->id, backlog < 1 ? 1 : (uint32_t)backlog };
    return stack_call(NX_NET_LISTEN, &req, sizeof req);
}

// Announce that this side may sleep on a ring (the stack looks at the flag before it
// signals), then check: the nx/ring.h order, so no signal is missed.
void nx_sock_announce(uint64_t *flag)
{
    __atomic_store_n(flag, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int nx_sock_sleep(struct nx_sock *s, uint64_t deadline_ns, bool (*ready)(struct nx_sock *),
                  bool writer)
{
    uint64_t *flag = writer ? &s->tx.sh->writer_waiting : &s->rx.sh->reader_waiting;
    nx_sock_announce(flag);
    long err = ready(s) ? NX_OK : nx_sock_wait(deadline_ns);
    __atomic_store_n(flag, 0, __ATOMIC_RELAXED);
    if (s->dead)
        return ENETDOWN;
    return err == NX_ERR_TIMED_OUT ? (deadline_ns ? ETIMEDOUT : EAGAIN) : 0;
}

static bool accept_ready(struct nx_sock *s)
{
    return s->dead || __atomic_load_n(&s->sh->accept_pending, __ATOMIC_ACQUIRE) ||
           nx_sock_state(s) != NX_NET_ST_LISTENING;
}

uint64_t nx_sock_deadline(uint64_t timeout_ns)
{
    return timeout_ns ? (uint64_t)nx_clock_get() + timeout_ns : NX_DEADLINE_NEVER;
}

// One NX_NET_ACCEPT for listener l into the new socket n.
static long accept_one(struct nx_sock *l, struct nx_sock *n, struct nx_net_socket_rep *rep)
{
    nx_handle_t ep;
    if (endpoint(&ep))
        return NX_ERR_ACCESS;
    struct nx_net_accept_req req = { l->id, (uint32_t)(n - nx_socks) };   // its own bit
    struct nx_rpc_call c = { .op = NX_NET_ACCEPT, .req = &req, .req_len = sizeof req,
                             .rep = rep, .rep_cap = sizeof *rep, .deadline = deadline() };
    long err = hand_over(&c.send, n->vmo, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP);
    if (!err)
        err = nx_rpc(ep, &c);
    nx_rpc_close_handles(&c.recv);
    if (err >= 0 && c.rep_len != sizeof *rep)
        err = NX_ERR_BAD_STATE;
    return err;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct nx_sock *l = nx_sock_live(fd);
    if (!l)
        return -1;
    if (l->type != NX_NET_SOCK_STREAM || nx_sock_state(l) != NX_NET_ST_LISTENING)
        return fail(EINVAL);
    uint64_t dl = l->nonblock ? 0 : nx_sock_deadline(l->rcv_timeout_ns);
    for (;;) {
        int e = nx_sock_sleep(l, dl, accept_ready, false);
        if (e)
            return fail(e);
        if (nx_sock_state(l) != NX_NET_ST_LISTENING)
            return fail(ECONNABORTED);
        struct nx_sock *n = sock_new(NX_NET_SOCK_STREAM);
        if (!n)
            return -1;
        n->used = true;
        struct nx_net_socket_rep rep;
        long err = accept_one(l, n, &rep);
        if (err == NX_OK) {
            n->id = rep.id;
            nx_sock_addr_out(&rep.peer, addr, len);
            return fd_of(n);
        }
        sock_free(n);
        if (err != NX_ERR_TIMED_OUT)
            return fail(nx_sock_errno(err));
        if (l->nonblock)
            return fail(EAGAIN);
    }
}

static bool connect_ready(struct nx_sock *s)
{
    return s->dead || nx_sock_state(s) != NX_NET_ST_CONNECTING;
}

// A stream's connection, once started: 0 when up, else the errno.
static int connect_result(struct nx_sock *s)
{
    uint32_t st = nx_sock_state(s);
    if (st == NX_NET_ST_CONNECTED || st == NX_NET_ST_PEER_CLOSED)
        return 0;
    if (st == NX_NET_ST_CLOSED)   // closed without a reason while connecting: refused
        return s->sh->error ? nx_sock_closed_errno(s) : ECONNREFUSED;
    return st == NX_NET_ST_CONNECTING ? EINPROGRESS : ENOTCONN;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct nx_sock *s = nx_sock_live(fd);
    struct nx_net_connect_req req = { 0 };
    int e = s ? nx_sock_addr_in(addr, len, &req.addr) : 0;
    if (!s || e)
        return s ? fail(e) : -1;
    if (s->type == NX_NET_SOCK_STREAM && s->connecting)
        return fail(nx_sock_state(s) == NX_NET_ST_CONNECTING ? EALREADY : EISCONN);
    req.id = s->id;
    if (stack_call(NX_NET_CONNECT, &req, sizeof req))
        return -1;
    s->connecting = true;   // a datagram socket: it has a default peer
    if (s->type != NX_NET_SOCK_STREAM)
        return 0;
    if (s->nonblock)
        return connect_ready(s) && !connect_result(s) ? 0 : fail(EINPROGRESS);
    uint64_t dl = nx_sock_deadline(s->snd_timeout_ns);
    e = 0;
    while (!e && !connect_ready(s))
        e = nx_sock_sleep(s, dl, connect_ready, false);
    if (!e)
        e = connect_result(s);
    return e ? fail(e) : 0;
}

int shutdown(int fd, int how)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    if (how < SHUT_RD || how > SHUT_RDWR)
        return fail(EINVAL);
    struct nx_net_shutdown_req req = { s->id, (uint32_t)how };
    if (stack_call(NX_NET_SHUTDOWN, &req, sizeof req))
        return -1;
    s->shut_rd |= how != SHUT_WR;
    s->shut_wr |= how != SHUT_RD;
    return 0;
}

int nx_socket_close(int fd)
{
    struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, fd);
    if (!s)
        return fail(EBADF);
    int r = 0;
    if (!s->dead) {
        struct nx_net_id req = { s->id };
        r = stack_call(NX_NET_CLOSE, &req, sizeof req);
        if (r && errno == ENETDOWN)
            r = 0;   // the stack is gone: so is the socket
    }
    sock_free(s);
    return r;
}

// fcntl for sockets (O_NONBLOCK); other descriptors have no flags to change.
int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    int arg = cmd == F_SETFL || cmd == F_SETFD ? va_arg(ap, int) : 0;
    va_end(ap);
    struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, fd);
    if (!s)
        return cmd == F_GETFD || cmd == F_SETFD ? 0 : fail(fd < NX_SOCKET_FD_BASE ? EINVAL : EBADF);
    if (cmd == F_GETFL)
        return O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
    if (cmd == F_SETFL) {
        s->nonblock = (arg & O_NONBLOCK) != 0;
        return 0;
    }
    return cmd == F_GETFD || cmd == F_SETFD ? 0 : fail(EINVAL);
}

static uint64_t timeval_ns(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    if (level != SOL_SOCKET)
        return fail(ENOPROTOOPT);
    if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
        if (len < sizeof(struct timeval))
            return fail(EINVAL);
        *(name == SO_RCVTIMEO ? &s->rcv_timeout_ns : &s->snd_timeout_ns) = timeval_ns(val);
        return 0;
    }
    // The stack always reuses addresses and keeps connections alive its own way.
    return name == SO_REUSEADDR || name == SO_KEEPALIVE ? 0 : fail(ENOPROTOOPT);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, fd);
    if (!s)
        return fail(EBADF);
    if (level != SOL_SOCKET || (name != SO_ERROR && name != SO_TYPE))
        return fail(ENOPROTOOPT);
    if (*len < sizeof(int))
        return fail(EINVAL);
    int v;
    if (name == SO_TYPE)
        v = s->type == NX_NET_SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM;
    else if (s->dead)
        v = ENETDOWN;
    else
        v = s->type == NX_NET_SOCK_STREAM && s->connecting && connect_ready(s) ? connect_result(s)
                                                                                 : 0;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

static int sock_name(int fd, struct sockaddr *addr, socklen_t *len, bool peer)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    struct nx_net_addr a = peer ? s->sh->peer : s->sh->local;
    if (peer && !a.ip && !a.port)
        return fail(ENOTCONN);
    nx_sock_addr_out(&a, addr, len);
    return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, addr, len, false);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return sock_name(fd, addr, len, true);
}

long nx_net_ifconfig(struct nx_net_ifconfig *out)
{
    nx_handle_t ep;
    if (endpoint(&ep))
        return NX_ERR_ACCESS;
    return nx_rpc_call(ep, NX_NET_IFCONFIG, NULL, 0, out, sizeof *out, deadline());
}
