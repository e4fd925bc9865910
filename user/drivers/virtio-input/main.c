// The virtio input driver (services "input", "input2"): drives the keyboard, tablet or mouse in
// the virtio-mmio slot init granted it (virtio:input), reads what the device sends from its
// configuration, keeps the event queue full of buffers and sleeps on the device's interrupt.
// Each event is checked against the configuration and turned into an nx_input_event
// (nx/input.h); a malformed one is counted, logged and dropped. Each frame (the events up to
// an EV_SYN) goes to the client connected through the endpoint (NX_INPUT_CONNECT), if any, and
// is one record in the log at level DEBUG. The device's interrupt notification is bound to
// the endpoint: one sleep for both. No device: it says so in the log and exits with status 0
// (docs/input.md). Killed, it is restarted by init and takes the device again (a reset).
#include <stdio.h>
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/virtio.h>
#include "input_proto.h"

#define GRANT_VIRTIO "virtio:input"  // the device's slot, its IRQ object and notification
#define EVENTQ 0
#define FRAME_MAX 16                 // events kept until their EV_SYN (more: logged early)
// The event queue's memory: its rings, then one page of event buffers.
enum { QPAGE_EVENTS = VIRTIO_QUEUE_PAGES, QPAGES };

static struct virtio_dev dev;
static struct virtq q;
static uint8_t *qmem;
static uint64_t qpa[QPAGES];
static struct vi_device device;
static uint16_t buffer_of[VIRTQ_MAX_SIZE];  // the event buffer of each chain head in flight
static uint64_t rejected;
static struct nx_input_event frame[FRAME_MAX];
static unsigned nframe;
static struct nx_ring client;  // client.sh NULL: nobody connected

static void reject(const char *what, const char *why)
{
    rejected++;
    nx_log(NX_LOG_WARN, "%s: %s rejected: %s (%llu so far)", device.name, what, why,
           (unsigned long long)rejected);
}

// The data of configuration selection (select, subsel) into data; its size (0: none).
static unsigned config_select(uint8_t select, uint8_t subsel, uint8_t data[VI_CFG_DATA_MAX])
{
    uint32_t words[(VI_CFG_DATA + VI_CFG_DATA_MAX) / 4];
    virtio_config_write(&dev, VI_CFG_SELECT, select | (uint32_t)subsel << 8);
    virtio_config_read(&dev, 0, words, sizeof words / 4);
    memcpy(data, (uint8_t *)words + VI_CFG_DATA, VI_CFG_DATA_MAX);
    return ((uint8_t *)words)[VI_CFG_SIZE];
}

static void read_axes(void)
{
    uint8_t data[VI_CFG_DATA_MAX];
    for (unsigned axis = 0; axis < VI_ABS_AXES; axis++) {
        if (!vi_has(&device, VI_EV_ABS, axis))
            continue;
        const char *why = vi_parse_absinfo(&device, axis, data,
                                           config_select(VI_CFG_ABS_INFO, (uint8_t)axis, data));
        if (why)
            reject("its axis information", why);
    }
}

// The device's name, the events it sends and its axes' ranges. Malformed parts are rejected
// (the events they would allow are then rejected too).
static void read_config(void)
{
    uint8_t data[VI_CFG_DATA_MAX];
    strcpy(device.name, "virtio-input");
    unsigned size = config_select(VI_CFG_ID_NAME, 0, data);
    if (size && vi_parse_name(&device, data, size))
        reject("its name", "bad name size");
    for (unsigned type = VI_EV_KEY; type < VI_TYPES; type++) {
        const char *why = vi_parse_bits(&device, type, data,
                                        config_select(VI_CFG_EV_BITS, (uint8_t)type, data));
        if (why)
            reject("its event bitmap", why);
    }
    read_axes();
}

static unsigned count_codes(unsigned type)
{
    unsigned n = 0;
    for (unsigned code = 0; code < 8 * VI_CFG_DATA_MAX; code++)
        n += vi_has(&device, type, code);
    return n;
}

static const char *offer(uint16_t buffer)
{
    struct virtq_buf b = { qpa[QPAGE_EVENTS] + buffer * sizeof(struct vi_event),
                           sizeof(struct vi_event), true };
    int head = virtq_submit(&q, &b, 1);
    if (head < 0)
        return "the event queue is full";
    buffer_of[head] = buffer;
    return NULL;
}

static const char *start(void)
{
    uint64_t features;
    const char *why = virtio_begin(&dev, 0, &features);
    if (!why) {
        read_config();
        why = virtio_dma_alloc(QPAGES, (void **)&qmem, qpa, NULL);
    }
    if (!why)
        why = virtio_queue(&dev, EVENTQ, 1, &q, qmem, qpa);
    for (uint16_t i = 0; !why && i < q.size; i++)
        why = offer(i);
    if (why) {
        virtio_fail(&dev);
        return why;
    }
    virtio_ready(&dev);
    virtio_notify(&dev, EVENTQ);
    return NULL;
}

static void drop_client(void)
{
    if (!client.sh)
        return;
    nx_handle_close(client.notif);
    nx_ring_unmap(&client);
    client = (struct nx_ring){ 0 };
}

// The events of the frame so far, then its SYN, to the client; a client that corrupted the
// ring's header is dropped (a full ring drops the events and counts them).
static void send_frame(const struct nx_input_event *syn)
{
    for (unsigned i = 0; client.sh && i <= nframe; i++) {
        const struct nx_input_event *e = i < nframe ? &frame[i] : syn;
        if (e && nx_ring_write(&client, e, sizeof *e) == NX_ERR_BAD_STATE) {
            nx_log(NX_LOG_WARN, "%s: the client broke its ring: dropped", device.name);
            drop_client();
        }
    }
}

// The frame so far (syn: its end, or NULL for a frame cut in parts): to the client, and one
// log record.
static void publish(const struct nx_input_event *syn)
{
    send_frame(syn);
    static const char *const names[VI_TYPES] = { "syn", "key", "rel", "abs" };
    char text[NX_LOG_TEXT_MAX];
    int len = snprintf(text, sizeof text, "%s:", device.name);
    for (unsigned i = 0; i < nframe && len > 0 && (size_t)len < sizeof text; i++)
        len += snprintf(text + len, sizeof text - (size_t)len, " %s %u %d", names[frame[i].type],
                        frame[i].code, (int)frame[i].value);
    nx_log(NX_LOG_DEBUG, "%s", text);
    nframe = 0;
}

static void take_event(const struct vi_event *e)
{
    const char *why = vi_translate(&device, e, (uint64_t)nx_clock_get(), &frame[nframe]);
    if (why) {
        char what[48];
        snprintf(what, sizeof what, "event %u %u %d", e->type, e->code, (int)e->value);
        reject(what, why);
        return;
    }
    bool syn = frame[nframe].type == NX_INPUT_SYN;
    if (syn && nframe) {
        struct nx_input_event end = frame[nframe];
        publish(&end);
    } else if (!syn && ++nframe == FRAME_MAX) {
        publish(NULL);
    }
}

// Every event the device completed, each buffer offered again.
static void drain(void)
{
    const struct vi_event *events = (const void *)(qmem + QPAGE_EVENTS * VIRTIO_PAGE);
    bool offered = false;
    int head;
    uint32_t len;
    while ((head = virtq_take(&q, &len)) != -1) {
        if (head == -2) {
            reject("a used buffer", "not one the driver offered");
            continue;
        }
        uint16_t buffer = buffer_of[head];
        if (len == sizeof(struct vi_event))
            take_event(&events[buffer]);
        else
            reject("an event", "of a bad size");
        offered |= !offer(buffer);
    }
    if (offered)
        virtio_notify(&dev, EVENTQ);
}

// The device interrupted: its events, then the line acked.
static void on_interrupt(void *ctx, uint64_t bits)
{
    (void)ctx;
    (void)bits;
    virtio_ack_interrupts(&dev);
    drain();
    nx_irq_ack(dev.irq);
}

static long op_connect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_input_connect c;
    memcpy(&c, req->data, sizeof c);
    if (req->handles.count != 1 || !c.bits)
        return NX_ERR_INVALID;
    // The client watches this process (nx_process_watch) to learn that the driver died and
    // connect again to its restarted instance (docs/input.md, "Restarts").
    long self = nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_TRANSFER);
    if (self < 0)
        return self;
    drop_client();
    nx_handle_t vmo;
    long err = nx_ring_create(NX_INPUT_RING_BYTES, req->handles.h[0], c.bits, &client, &vmo);
    if (err) {
        nx_handle_close((nx_handle_t)self);
        client = (struct nx_ring){ 0 };
        return err;
    }
    req->handles.h[0] = NX_HANDLE_INVALID;  // the ring's notification now
    req->reply_handles = (struct nx_rpc_handles){
        2, { vmo, (nx_handle_t)self },
        { NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP, NX_RIGHT_READ }
    };
    return NX_OK;
}

static const struct nx_rpc_op ops[] = {
    { NX_INPUT_CONNECT, sizeof(struct nx_input_connect), sizeof(struct nx_input_connect),
      op_connect },
};

int main(void)
{
    int status;
    nx_handle_t serve = virtio_serve_handle(GRANT_VIRTIO, "input", &status);
    if (!serve)
        return status;  // no endpoint, or no input device: logged
    const char *why = virtio_take(GRANT_VIRTIO, VIRTIO_ID_INPUT, &dev);
    if (!why)
        why = start();
    if (!why && nx_endpoint_bind(serve, dev.notif) != NX_OK)
        why = "cannot bind the device's notification to the endpoint";
    if (why) {
        nx_log(NX_LOG_ERROR, "%s", why);
        return 1;
    }
    nx_printf("virtio-input: %s: %u keys, %u relative axes, %u absolute axes\n", device.name,
              count_codes(VI_EV_KEY), count_codes(VI_EV_REL), count_codes(VI_EV_ABS));
    const struct nx_rpc_server server = { ops, sizeof ops / sizeof ops[0], NULL, on_interrupt };
    nx_rpc_serve(serve, &server);
    return 1;
}
