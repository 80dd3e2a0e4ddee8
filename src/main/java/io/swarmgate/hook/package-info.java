/**
 * The hook SPI: prehooks that admit, refuse or steer an announce before the store is asked, and posthooks that
 * run after the answer was written and see the same {@link io.swarmgate.hook.AnnounceContext}. Built-in hooks
 * live in one subpackage each (jwt, subnet, approval, interval, accounting, ratelimit) and offer their
 * {@link io.swarmgate.hook.HookFactory} as a {@code FACTORY} constant; the wiring ({@code io.swarmgate.Swarmgate})
 * lists them, so this package depends on none of them.
 */
package io.swarmgate.hook;
