// The virtio network driver (service "netdev", docs/network.md): drives the network card in the
// virtio-mmio slot init granted it (virtio:net) for the TCP/IP stack, through the protocol of
// nx/netdev.h. Frames live in the arena, a VMO the driver makes and pins: the device writes
// received frames into its rx slots and reads sent ones out of its tx slots, the stack reads
// and writes them in place, and slot ownership moves by records through two rings in the
// control VMO (slots.c). One thread, one sleep: the device's interrupt and the stack's
// records both signal the driver's notification, bound to its endpoint. No device: it says
// so in the log and exits with status 0.
#include <string.h>
#include <nx/log.h>
#include <nx/netdev.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/virtio.h>
#include "net_proto.h"
#include "slots.h"

#define GRANT_VIRTIO "virtio:net"  // the card's slot, its IRQ object and notification
#define FEATURES (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)
#define SHARED_RIGHTS (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP)

// The queues' rings: receiveq1's pages, then transmitq1's.
enum { QPAGES = SLOTS_QUEUES * VIRTIO_QUEUE_PAGES };

static struct virtio_dev dev;
static uint64_t features;
static uint8_t mac[6];
static uint8_t *qmem;
static uint64_t qpa[QPAGES];
static struct virtq queues[SLOTS_QUEUES];

// What one ATTACH made; the next replaces it.
struct attachment {
    nx_handle_t arena, ctl, stack;  // stack: its notification
    uint8_t *arena_va, *ctl_va;
    uint64_t arena_pa[SLOTS_ARENA_PAGES], ctl_pa[SLOTS_CTL_PAGES];
};
static struct attachment att;  // att.stack 0: nobody attached
static struct slots slots;

// The link state (always up without VIRTIO_NET_F_STATUS: virtio 1.x, 5.1.4.2).
static bool link_up(void)
{
    if (!(features & VIRTIO_NET_F_STATUS))
        return true;
    uint32_t w[2];
    virtio_config_read(&dev, VIRTIO_NET_CFG_MAC, w, 2);
    return (w[1] >> 16) & VIRTIO_NET_S_LINK_UP;
}

// The device's address; without VIRTIO_NET_F_MAC one of our own, locally administered.
static void read_mac(void)
{
    uint32_t w[2];
    if (features & VIRTIO_NET_F_MAC) {
        virtio_config_read(&dev, VIRTIO_NET_CFG_MAC, w, 2);
    } else {
        w[0] = 0x02 | (uint32_t)'N' << 8 | (uint32_t)'X' << 16;
        w[1] = (uint32_t)nx_clock_get();
    }
    memcpy(mac, w, 4);
    memcpy(mac + 4, &w[1], 2);
}

// Reset the device and set its queues up again, empty: it holds no buffer of anyone's.
static const char *reset_device(void)
{
    const char *why = virtio_begin(&dev, FEATURES, &features);
    memset(qmem, 0, QPAGES * VIRTIO_PAGE);
    for (unsigned q = 0; !why && q < SLOTS_QUEUES; q++)
        why = virtio_queue(&dev, q, 1, &queues[q], qmem + q * VIRTIO_QUEUE_PAGES * VIRTIO_PAGE,
                           qpa + q * VIRTIO_QUEUE_PAGES);
    if (why)
        virtio_fail(&dev);
    return why;
}

static void drop(struct attachment *a)
{
    if (a->arena_va)
        nx_vm_unmap(nx_self, (long)a->arena_va, SLOTS_ARENA_PAGES * VIRTIO_PAGE);
    if (a->ctl_va)
        nx_vm_unmap(nx_self, (long)a->ctl_va, SLOTS_CTL_PAGES * VIRTIO_PAGE);
    nx_handle_t h[] = { a->arena, a->ctl, a->stack };
    for (unsigned i = 0; i < sizeof h / sizeof h[0]; i++)
        if (h[i])
            nx_handle_close(h[i]);
    *a = (struct attachment){ 0 };
}

// The arena and the control VMO of a new attachment, pinned.
static long make_vmos(struct attachment *a)
{
    if (virtio_dma_alloc(SLOTS_ARENA_PAGES, (void **)&a->arena_va, a->arena_pa, &a->arena) ||
        virtio_dma_alloc(SLOTS_CTL_PAGES, (void **)&a->ctl_va, a->ctl_pa, &a->ctl)) {
        drop(a);
        return NX_ERR_NO_MEMORY;
    }
    return NX_OK;
}

// The reply of ATTACH and INFO: the card and the counters.
static long reply_info(struct nx_rpc_req *req)
{
    struct nx_netdev_info info = {
        .link_up = link_up(), .mtu = NX_NETDEV_MTU, .rx_slots = NX_NETDEV_RX_SLOTS,
        .tx_slots = NX_NETDEV_TX_SLOTS, .slot_size = NX_NETDEV_SLOT_SIZE, .stats = slots.stats,
    };
    memcpy(info.mac, mac, sizeof mac);
    memcpy(req->reply, &info, sizeof info);
    req->reply_len = sizeof info;
    return NX_OK;
}

// A pass over the rings, then the system calls it asks for. Work left over (a flood), or
// records that came while the driver went to sleep: the driver signals itself, so that it
// comes back after serving what else waits on its endpoint.
static void serve_rings(void)
{
    slots_end_sleep(&slots);
    bool more = slots_pass(&slots);
    for (unsigned q = 0; q < SLOTS_QUEUES; q++)
        if (slots.kick[q])
            virtio_notify(&dev, q);
    if (slots.wake_stack)
        nx_notify_signal(att.stack, NX_NETDEV_BIT_TO_STACK);
    if (more || !slots_prepare_sleep(&slots))
        nx_notify_signal(dev.notif, NX_NETDEV_BIT_TO_DRIVER);
}

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    uint32_t causes = bits & NX_IRQ_BIT ? virtio_ack_interrupts(&dev) : 0;
    if (causes)
        slots.stats.interrupts++;
    if (att.stack && (causes & VIRTIO_INT_CONFIG))
        slots_link(&slots, link_up());
    if (att.stack)
        serve_rings();
    if (bits & NX_IRQ_BIT)
        nx_irq_ack(dev.irq);  // after the rings were read: a later completion raises it again
}

static long op_attach(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long info = req->handles.count == 1 ? nx_handle_info(req->handles.h[0]) : NX_ERR_INVALID;
    if (info < 0 || nx_handle_info_type(info) != NX_OBJ_NOTIFICATION ||
        !(nx_handle_info_rights(info) & NX_RIGHT_SIGNAL))
        return NX_ERR_INVALID;
    struct attachment next = { 0 };
    long err = make_vmos(&next);
    if (err)
        return err;
    // The device lets go of the old arena before it goes.
    const char *why = reset_device();
    drop(&att);
    if (why) {
        nx_log(NX_LOG_ERROR, "%s", why);
        drop(&next);
        return NX_ERR_IO;
    }
    att = next;
    att.stack = req->handles.h[0];
    req->handles.h[0] = NX_HANDLE_INVALID;  // kept
    slots_init(&slots, &queues[SLOTS_RXQ], &queues[SLOTS_TXQ], att.arena_va, att.arena_pa,
               att.ctl_va, link_up());
    virtio_ready(&dev);
    serve_rings();
    req->reply_handles = (struct nx_rpc_handles){
        3, { att.arena, att.ctl, dev.notif },
        { SHARED_RIGHTS | NX_XFER_COPY, SHARED_RIGHTS | NX_XFER_COPY,
          NX_RIGHT_SIGNAL | NX_XFER_COPY }
    };
    return reply_info(req);
}

static long op_info(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    return reply_info(req);
}

// The device found and negotiated (it stays stopped until a stack attaches), the queues'
// memory, one sleep for the endpoint and the interrupt.
static const char *start(nx_handle_t serve)
{
    const char *why = virtio_take(GRANT_VIRTIO, VIRTIO_ID_NET, &dev);
    if (!why)
        why = virtio_dma_alloc(QPAGES, (void **)&qmem, qpa, NULL);
    if (!why)
        why = reset_device();
    if (!why && nx_endpoint_bind(serve, dev.notif) != NX_OK)
        why = "cannot bind the device's notification to the endpoint";
    if (!why)
        read_mac();
    return why;
}

int main(void)
{
    int status;
    nx_handle_t serve = virtio_serve_handle(GRANT_VIRTIO, "network", &status);
    if (!serve)
        return status;  // no endpoint, or no network card: logged
    const char *why = start(serve);
    if (why) {
        nx_log(NX_LOG_ERROR, "%s", why);
        return 1;
    }
    nx_log(NX_LOG_INFO, "mac %02x:%02x:%02x:%02x:%02x:%02x, link %s", mac[0], mac[1], mac[2],
           mac[3], mac[4], mac[5], link_up() ? "up" : "down");
    static const struct nx_rpc_op ops[] = {
        { NX_NETDEV_ATTACH, 0, 0, op_attach },
        { NX_NETDEV_INFO, 0, 0, op_info },
    };
    static const struct nx_rpc_server server = { ops, sizeof ops / sizeof ops[0], NULL,
                                                 on_signals };
    nx_rpc_serve(serve, &server);
    return 1;
}
