#pragma once
// The system's input events (docs/input.md): what an input driver makes of a device's events,
// and what a compositor will read. Types and codes are Linux evdev's (linux/input-event-codes.h):
// a key is its evdev key code (KEY_A = 30, BTN_LEFT = 0x110), a pointer axis its ABS_ or REL_
// code. An absolute position is scaled to 0..NX_INPUT_ABS_MAX whatever the device's range;
// a frame of events ends with NX_INPUT_SYN.
//
// A client (the compositor, later) gets an input driver's events by calling its endpoint with
// NX_INPUT_CONNECT: the driver makes a ring (nx/ring.h) whose records are nx_input_events and
// signals the client's notification when it sleeps on an empty ring.
#include <stdint.h>

enum {
    NX_INPUT_SYN = 0,  // code 0: the events since the last one form one change
    NX_INPUT_KEY = 1,  // value: 0 released, 1 pressed, 2 repeated
    NX_INPUT_REL = 2,  // value: the signed motion
    NX_INPUT_ABS = 3,  // value: the position, 0..NX_INPUT_ABS_MAX
};

#define NX_INPUT_ABS_MAX 32767

struct nx_input_event {
    uint64_t time_ns;  // nx_clock_get() when the driver took the event from the device
    uint16_t type;     // NX_INPUT_*
    uint16_t code;
    int32_t value;
};

// bytes: struct nx_input_connect; 1 handle: a notification (SIGNAL) the driver signals with
// bits when events arrive. Reply: 2 handles, the ring's VMO (READ, WRITE, MAP: attach with
// nx_ring_map as NX_RING_READER) and the driver's process (READ: nx_process_watch tells the
// client when this driver instance ends; a restarted one takes the same endpoint, so the
// client connects again). One client at a time: a new connection replaces the old one (the
// driver drops its ring). Errors: NX_ERR_INVALID (no handle, bits 0), what creating the
// ring returns (NX_ERR_NO_MEMORY).
#define NX_INPUT_CONNECT 0x49000001u
#define NX_INPUT_RING_BYTES 4096  // the ring's data: 256 events; more unread are dropped

struct nx_input_connect {
    uint64_t bits;
};
