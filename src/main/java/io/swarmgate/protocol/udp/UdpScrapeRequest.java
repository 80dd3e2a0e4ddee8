package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import io.swarmgate.bittorrent.InfoHash;

import java.util.List;

/** A scrape for one or more info_hashes, in the order the response must answer them (BEP 15). */
public record UdpScrapeRequest(long connectionId, int transactionId, List<InfoHash> infoHashes)
        implements UdpRequest {

    public UdpScrapeRequest {
        infoHashes = List.copyOf(infoHashes);
    }

    @Override
    public Action action() {
        return Action.SCRAPE;
    }
}
