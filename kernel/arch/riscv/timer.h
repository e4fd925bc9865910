#pragma once
// The hart's timer: Sstc's stimecmp when the CPU has it, else the SBI TIME extension.
// Tickless: the timer is armed only for a real deadline and otherwise left off.
#include <stdbool.h>
#include <stdint.h>

// Boot: the timebase, whether stimecmp (Sstc) is there, and this hart's timer off.
void timer_init(uint64_t timebase_hz, bool has_sstc);
// Another hart: its timer off, its interrupt enabled. The timer functions below act on the
// calling hart's own timer.
void timer_start_hart(void);
uint64_t timer_now(void);                 // ticks since reset
uint64_t timer_ticks_to_ns(uint64_t ticks);
uint64_t timer_ns_to_ticks(uint64_t ns);
void timer_arm(uint64_t deadline);        // absolute, in ticks
void timer_disarm(void);
bool timer_armed(void);
void timer_ack(void);                     // on a timer interrupt: disarm it
