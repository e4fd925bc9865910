// virtio:KIND grants (docs/userspace.md, "Manifest"): init probes the virtio-mmio slots for a
// device of the kind and gives each service its own slot. A service keeps the slot it got for
// its whole life, restarts included, so a restarted driver finds its own device again.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/virtio.h>

#include "init.h"

static volatile uint8_t *slots;  // every slot, mapped read-write into init on first use

static long map_slots(void)
{
    if (slots)
        return NX_OK;
    long vmo = nx_vmo_physical(nx_start_handle, VIRTIO_BASE, VIRTIO_SLOTS * VIRTIO_SLOT_SIZE);
    if (vmo < 0)
        return vmo;
    long va = nx_vm_map(nx_self, vmo, 0, 0, VIRTIO_SLOTS * VIRTIO_SLOT_SIZE, NX_PROT_READ);
    nx_handle_close(vmo);  // the mapping keeps the VMO
    if (va < 0)
        return va;
    slots = (volatile uint8_t *)va;
    return NX_OK;
}

// Whether some service's virtio grant holds slot.
static bool claimed(unsigned slot)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        for (int g = 0; g < MF_MAX_GRANTS; g++)
            if (children[i].state != CHILD_FREE && children[i].virtio_slot[g] == slot + 1)
                return true;
    return false;
}

// The first slot no service holds with a modern device of type device_id, or -1; *why says
// why not.
static int free_slot(uint32_t device_id, const char **why)
{
    *why = "no device";
    for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
        const char *w = claimed(i) ? "no device" : virtio_probe(slots + i * VIRTIO_SLOT_SIZE,
                                                               device_id);
        if (!w)
            return (int)i;
        if (strcmp(w, "no device"))  // a legacy device of the kind: say why it is not granted
            *why = w;
    }
    return -1;
}

long virtio_claim(struct child *c, int grant)
{
    const struct mf_grant *gr = &c->svc->grants[grant];
    const char *why = NULL;
    if (!c->virtio_slot[grant]) {
        long err = map_slots();
        if (err)
            return err;
        c->virtio_slot[grant] = (uint8_t)(free_slot(gr->value, &why) + 1);
    }
    if (!c->virtio_slot[grant]) {
        nx_log(NX_LOG_INFO, "%s: %s: %s", c->name, gr->name, why);
        return NX_ERR_NOT_FOUND;
    }
    unsigned slot = c->virtio_slot[grant] - 1u;
    nx_log(NX_LOG_INFO, "%s: %s is slot %u (line %u)", c->name, gr->name, slot,
           VIRTIO_FIRST_LINE + slot);
    return slot;
}
