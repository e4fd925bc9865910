// lwIP's cyclic timers on demand. lwIP 2.1 runs ARP's, IP reassembly's, DNS's (1 s) and
// DHCP's (500 ms, 60 s) timers for ever once lwip_init starts them; only TCP's starts and
// stops with its connections (tcp_timer_needed). Here they are taken off lwIP's list and each
// re-armed (through lwIP's own sys_timeout, so the one kernel timer still serves them all)
// only while its module has work:
//   ARP          stable entries to age (etharp_get_entry), or a request sent within
//                ARP_MAXPENDING + 1 s (its entry pending)
//   reassembly   a fragment came within IP_REASS_MAXAGE + 1 s
//   DNS          questions outstanding, or an answer cached (DNS_MAX_TTL, 10 minutes, after
//                the last one: cached answers age only while the timer runs)
//   DHCP fine    a request waiting for its answer (request_timeout)
//   DHCP coarse  a lease to renew (DHCP on): once a minute
// A module idle between two runs loses no time: each handler counts its own ticks from the
// state it left (an entry ages only while the timer runs, and it runs while entries exist).
#include <lwip/dhcp.h>
#include <lwip/prot/dhcp.h>
#include <lwip/sys.h>
#include <lwip/dns.h>
#include <lwip/etharp.h>
#include <lwip/ip4_frag.h>
#include <lwip/timeouts.h>
#include "link.h"
#include "timers.h"

uint32_t timers_dns_pending;
static u32_t arp_sent_ms, fragment_ms, dns_answer_ms;
static bool arp_recent, fragment_recent, dns_recent;

void timers_arp_sent(void)
{
    arp_sent_ms = sys_now();
    arp_recent = true;
}

void timers_fragment_came(void)
{
    fragment_ms = sys_now();
    fragment_recent = true;
}

void timers_dns_answered(void)
{
    dns_answer_ms = sys_now();
    dns_recent = true;
}

static bool within(bool *recent, u32_t since, u32_t ms)
{
    if (*recent && sys_now() - since > ms)
        *recent = false;
    return *recent;
}

static bool arp_needed(void)
{
    ip4_addr_t *ip;
    struct netif *n;
    struct eth_addr *eth;
    for (size_t i = 0; i < ARP_TABLE_SIZE; i++)
        if (etharp_get_entry(i, &ip, &n, &eth))
            return true;
    return within(&arp_recent, arp_sent_ms, 6000);
}

static bool reass_needed(void)
{
    return within(&fragment_recent, fragment_ms, (IP_REASS_MAXAGE + 1) * 1000u);
}

static bool dns_needed(void)
{
    return timers_dns_pending > 0 || within(&dns_recent, dns_answer_ms, (DNS_MAX_TTL + 1) * 1000u);
}

static bool dhcp_fine_needed(void)
{
    struct dhcp *d = netif_dhcp_data(&nic.netif);
    return d && d->request_timeout > 0;
}

static bool dhcp_coarse_needed(void)
{
    struct dhcp *d = netif_dhcp_data(&nic.netif);
    return d && d->state != DHCP_STATE_OFF;
}

struct demand {
    void (*handler)(void);
    u32_t interval_ms;
    bool (*needed)(void);
    bool armed;
};

static struct demand demands[] = {
    { etharp_tmr, ARP_TMR_INTERVAL, arp_needed, false },
    { ip_reass_tmr, IP_TMR_INTERVAL, reass_needed, false },
    { dns_tmr, DNS_TMR_INTERVAL, dns_needed, false },
    { dhcp_fine_tmr, DHCP_FINE_TIMER_MSECS, dhcp_fine_needed, false },
    { dhcp_coarse_tmr, DHCP_COARSE_TIMER_MSECS, dhcp_coarse_needed, false },
};
#define DEMANDS (sizeof demands / sizeof demands[0])

static void demand_fire(void *arg)
{
    struct demand *d = arg;
    d->armed = false;
    d->handler();
    if (d->needed()) {
        d->armed = true;
        sys_timeout(d->interval_ms, demand_fire, d);
    }
}

void timers_start(void)
{
    // lwIP's own cyclic timers go (TCP's is not among them: lwIP starts it on demand).
    for (int i = 0; i < lwip_num_cyclic_timers; i++)
        sys_untimeout(lwip_cyclic_timer, (void *)&lwip_cyclic_timers[i]);
}

void timers_update(void)
{
    for (size_t i = 0; i < DEMANDS; i++) {
        struct demand *d = &demands[i];
        if (!d->armed && d->needed()) {
            d->armed = true;
            sys_timeout(d->interval_ms, demand_fire, d);
        }
    }
}
