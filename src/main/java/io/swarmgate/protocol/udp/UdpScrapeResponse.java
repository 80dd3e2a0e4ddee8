package io.swarmgate.protocol.udp;

import io.swarmgate.bittorrent.Action;
import java.util.List;

/** One entry per requested info_hash, in request order, duplicates included (BEP 15 has no key per entry). */
public record UdpScrapeResponse(int transactionId, List<ScrapeEntry> entries) implements UdpResponse {

    public UdpScrapeResponse {
        entries = List.copyOf(entries);
    }

    @Override
    public Action action() {
        return Action.SCRAPE;
    }
}
