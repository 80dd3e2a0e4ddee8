/**
 * The hook SPI: prehooks that admit, refuse or steer an announce before the store is asked, and posthooks that
 * run after the answer was written. Built-in hooks live in one subpackage each (jwt, subnet, approval,
 * interval) and are registered in {@link io.swarmgate.hook.HookRegistry#builtIn()}.
 */
package io.swarmgate.hook;
