#pragma once
// NO_SYS=1: lwIP runs in the service's one thread, so it needs no semaphores, mailboxes or
// threads from the system; only sys_now() (the kernel's monotonic clock, in ms).
