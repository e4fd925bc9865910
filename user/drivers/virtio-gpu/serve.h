#pragma once
// The display protocol (nx/gpu.h) served on the driver's endpoint.
#include <nexus/handle.h>
#include <nx/rpc.h>
#include "display.h"

// Serve ep for the display d until a receive fails.
void gpu_serve(nx_handle_t ep, struct display *d);
