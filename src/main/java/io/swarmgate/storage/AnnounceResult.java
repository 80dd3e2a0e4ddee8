package io.swarmgate.storage;

/**
 * What one {@link PeerStore#announce} step answers besides the peers it gave the sink: the swarm's counts after
 * the change (both address families, the announcer included) and how many peers went to the sink.
 */
public record AnnounceResult(int complete, int incomplete, int peers) {
}
