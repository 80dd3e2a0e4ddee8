/**
 * The {@code interval-variation} prehook: it lengthens the announce interval of a random fraction of answers by
 * a random few seconds, so that clients started together (a fleet rolled out at once, a tracker restart) drift
 * apart instead of announcing in lock-step waves.
 */
package io.swarmgate.hook.interval;
