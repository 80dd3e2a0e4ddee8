package io.swarmgate.storage.memory;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.bittorrent.PeerSink;

import java.util.Arrays;

/**
 * The seeders or the leechers of one swarm and address family, as fixed-stride entries in one {@code long[]}
 * kept sorted by (address, port): no object per peer, and a subnet is a contiguous index range.
 * <p>IPv4 entry, 4 longs (32 bytes): {@code [ip<<16 | port] [peer_id 0-7] [peer_id 8-15]
 * [peer_id 16-19 <<32 | lastSeen]}. IPv6 entry, 6 longs (48 bytes): {@code [addr hi] [addr lo]
 * [port<<32 | lastSeen] [peer_id 0-7] [peer_id 8-15] [peer_id 16-19]}. lastSeen is whole seconds since the
 * store's epoch. Not thread-safe: the owning shard's lock guards it.
 * <p>A PeerList is a view: the entries and their count live in the {@link Swarm} (no object per list in a
 * million swarms), and the shard binds one of its views to them for the length of one step, then writes back
 * the array and size a change may have replaced.
 */
final class PeerList {
    static final long[] NONE = new long[0];
    private static final long LOW32 = 0xffffffffL;
    /** A port value after every real port: lower bound of it is "just after this address". */
    static final int AFTER_ALL_PORTS = 0x10000;

    private final int stride;
    private long[] data = NONE;
    private int size;

    PeerList(AddressFamily family) {
        this.stride = family == AddressFamily.IPV4 ? 4 : 6;
    }

    /** Points this view at a swarm's entries: {@code size} entries at the start of {@code entries}. */
    PeerList bind(long[] entries, int count) {
        this.data = entries;
        this.size = count;
        return this;
    }

    /** The entry array, to store back into the swarm after a change. */
    long[] data() {
        return data;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes of an entry array including its header (none for the shared empty one), for memory estimates. */
    static long arrayBytes(long[] entries) {
        return entries.length == 0 ? 0 : 16L + 8L * entries.length;
    }

    /**
     * Index of the first entry whose (address, port) is not below the given one; {@code size()} when all are.
     * {@code port} may be {@link #AFTER_ALL_PORTS}, giving the index just after the address.
     */
    int lowerBound(long hi, long lo, int port) {
        int low = 0;
        int high = size;
        long[] d = data;
        if (stride == 4) {
            // ip fills 32 bits, so ip<<16 + port stays positive and AFTER_ALL_PORTS carries into the next address
            long key = (lo << 16) + port;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (d[mid * 4] < key) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
        } else {
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (compare6(d, mid * 6, hi, lo, port) < 0) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
        }
        return low;
    }

    private static int compare6(long[] d, int off, long hi, long lo, int port) {
        int c = Long.compareUnsigned(d[off], hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(d[off + 1], lo);
        return c != 0 ? c : Integer.compare((int) (d[off + 2] >>> 32), port);
    }

    /** Whether the entry at {@code index} (possibly {@code size()}) is exactly this address and port. */
    boolean matches(int index, long hi, long lo, int port) {
        if (index >= size) {
            return false;
        }
        int off = index * stride;
        if (stride == 4) {
            return data[off] == ((lo << 16) | port);
        }
        return data[off] == hi && data[off + 1] == lo && (int) (data[off + 2] >>> 32) == port;
    }

    /** Index of the entry with this address and port, or -1. */
    int indexOf(long hi, long lo, int port) {
        int i = lowerBound(hi, lo, port);
        return matches(i, hi, lo, port) ? i : -1;
    }

    /** Whether this list holds the peer (address and port) of entry {@code index} of {@code other}. */
    boolean containsEntryOf(PeerList other, int index) {
        long[] d = other.data;
        int off = index * stride;
        if (stride == 4) {
            long key = d[off];
            return indexOf(0, key >>> 16, (int) (key & 0xffff)) >= 0;
        }
        return indexOf(d[off], d[off + 1], (int) (d[off + 2] >>> 32)) >= 0;
    }

    /** Inserts at {@code index}, which must be where {@link #lowerBound} put this address and port. */
    void insert(int index, long hi, long lo, int port, PeerId id, int lastSeen) {
        int needed = (size + 1) * stride;
        if (needed > data.length) {
            int capacity = data.length / stride;
            // Most swarms are small: grow them one or two entries at a time (a copy of at most 16 entries, and a
            // peer is inserted once per session but re-announces in place many times), large ones by 1.5x.
            // 1.5x throughout left a tenth of a 10-peer swarm's array empty (13 slots for 10).
            int grown = capacity < 4 ? capacity + 1 : capacity < 16 ? capacity + 2 : capacity + (capacity >> 1);
            data = Arrays.copyOf(data, grown * stride);
        }
        int off = index * stride;
        System.arraycopy(data, off, data, off + stride, (size - index) * stride);
        size++;
        if (stride == 4) {
            data[off] = (lo << 16) | port;
        } else {
            data[off] = hi;
            data[off + 1] = lo;
            data[off + 2] = (long) port << 32;
        }
        update(index, id, lastSeen);
    }

    /** Replaces the peer_id (payload, BEP 3 clients may change it) and the last-seen time. */
    void update(int index, PeerId id, int lastSeen) {
        int off = index * stride;
        if (stride == 4) {
            data[off + 1] = id.a();
            data[off + 2] = id.b();
            data[off + 3] = (long) id.c() << 32 | (lastSeen & LOW32);
        } else {
            data[off + 2] = (data[off + 2] & ~LOW32) | (lastSeen & LOW32);
            data[off + 3] = id.a();
            data[off + 4] = id.b();
            data[off + 5] = id.c() & LOW32;
        }
    }

    void remove(int index) {
        int off = index * stride;
        System.arraycopy(data, off + stride, data, off, (size - index - 1) * stride);
        size--;
        shrinkIfSparse();
    }

    int lastSeen(int index) {
        int off = index * stride;
        return (int) data[off + (stride == 4 ? 3 : 2)];
    }

    /** Drops entries last seen before {@code cutoff} in one pass that keeps the order; returns how many. */
    int expire(int cutoff) {
        int seenSlot = stride == 4 ? 3 : 2;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int off = i * stride;
            if ((int) data[off + seenSlot] >= cutoff) {
                if (kept != i) {
                    System.arraycopy(data, off, data, kept * stride, stride);
                }
                kept++;
            }
        }
        int removed = size - kept;
        size = kept;
        if (removed > 0) {
            shrinkIfSparse();
        }
        return removed;
    }

    /** Shrinks to about 1.5x the size once under a quarter full, so a swarm that emptied gives memory back. */
    private void shrinkIfSparse() {
        int capacity = data.length / stride;
        if (size == 0) {
            data = NONE;
        } else if (capacity > 4 && size < capacity / 4) {
            data = Arrays.copyOf(data, (size + (size >> 1)) * stride);
        }
    }

    /** The address of the entry at {@code index} (an object: for the operator's swarm detail, not announces). */
    IpAddress address(int index) {
        int off = index * stride;
        return stride == 4 ? new IpAddress(AddressFamily.IPV4, 0, data[off] >>> 16)
                : new IpAddress(AddressFamily.IPV6, data[off], data[off + 1]);
    }

    /** Hands the entry at {@code index} to the sink as it is stored: no object per peer. */
    void emit(int index, PeerSink sink) {
        int off = index * stride;
        long[] d = data;
        if (stride == 4) {
            long key = d[off];
            sink.peer(AddressFamily.IPV4, 0, key >>> 16, (int) (key & 0xffff),
                    d[off + 1], d[off + 2], (int) (d[off + 3] >>> 32));
        } else {
            sink.peer(AddressFamily.IPV6, d[off], d[off + 1], (int) (d[off + 2] >>> 32),
                    d[off + 3], d[off + 4], (int) d[off + 5]);
        }
    }
}
