package io.swarmgate.storage;

/** Sizes across all swarms, per address family. */
public record StoreTotals(long swarms, long seeders4, long leechers4, long seeders6, long leechers6) {
}
