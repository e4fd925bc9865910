#pragma once
// lwIP's cyclic timers on demand (docs/network.md, "Time"): each runs only while its module
// has something to time, so an idle stack arms no timer at all.
#include <stdint.h>

// Replace lwIP's always-running cyclic timers (after lwip_init) by the on-demand ones.
void timers_start(void);
// At the end of each round: arm the timers whose module now has work.
void timers_update(void);
// Activity only the netif sees: an ARP request sent (entries pending), an IP fragment come.
void timers_arp_sent(void);
void timers_fragment_came(void);
// DNS questions outstanding (sock.c counts them), and an answer that came (it is cached).
extern uint32_t timers_dns_pending;
void timers_dns_answered(void);
