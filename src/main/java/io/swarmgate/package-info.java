/**
 * Entry points: {@link io.swarmgate.Main} (command line) and {@link io.swarmgate.Swarmgate} (wiring and
 * lifecycle of store, hooks, logic and listeners).
 */
package io.swarmgate;
