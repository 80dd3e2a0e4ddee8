package io.swarmgate.hook.approval;

import io.micrometer.core.instrument.Counter;
import io.swarmgate.bittorrent.ClientError;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.hook.AnnounceContext;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;

import java.util.List;

/**
 * Admits or refuses an announce by the client id in its peer_id. Scrapes carry no peer_id and pass.
 * An entry is a prefix of {@link PeerId#clientId()}, which is the first 8 bytes of an Azureus-style id
 * ({@code -XX1234-}) or else the first 6; both fit in the peer_id's first packed long, so matching is a mask and
 * a compare per entry with no allocation.
 */
public final class ClientApprovalHook implements Hook {
    /** {@code name: client-approval}; see {@link ClientApprovalConfig} for its keys. Use it as a prehook. */
    public static final HookFactory FACTORY = HookFactory.of("client-approval",
            (config, services) -> new ClientApprovalHook(ClientApprovalConfig.create(config),
                    ApprovalMetrics.rejected(services.meters(), "client-approval")));

    private final ListMode mode;
    private final long[] prefixes;
    private final long[] masks;
    private final int[] lengths;
    private final Counter rejected;

    ClientApprovalHook(ClientApprovalConfig config, Counter rejected) {
        this.mode = config.mode();
        this.rejected = rejected;
        List<String> ids = config.clientIds();
        prefixes = new long[ids.size()];
        masks = new long[ids.size()];
        lengths = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            long bits = 0;
            for (int j = 0; j < id.length(); j++) {
                bits |= (long) (id.charAt(j) & 0xff) << (56 - 8 * j);
            }
            lengths[i] = id.length();
            masks[i] = -1L << (64 - 8 * id.length());
            prefixes[i] = bits;
        }
    }

    @Override
    public void announce(AnnounceContext ctx) throws ClientError {
        if (!mode.admits(listed(ctx.request().peer().id()))) {
            rejected.increment();
            throw ClientError.unapproved("unapproved client");
        }
    }

    /** Whether some entry is a prefix of the id's {@link PeerId#clientId()}. */
    boolean listed(PeerId id) {
        long first = id.a();
        // '-' at bytes 0 and 7 marks the Azureus style; its client id is 8 bytes long, else 6 (PeerId.clientId)
        int clientIdLength = (first >>> 56) == '-' && (first & 0xff) == '-' ? 8 : 6;
        for (int i = 0; i < prefixes.length; i++) {
            if (lengths[i] <= clientIdLength && (first & masks[i]) == prefixes[i]) {
                return true;
            }
        }
        return false;
    }
}
