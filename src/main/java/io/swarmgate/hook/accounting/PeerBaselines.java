package io.swarmgate.hook.accounting;

import io.swarmgate.bittorrent.AnnounceRequest;
import io.swarmgate.bittorrent.Event;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.PeerId;

/**
 * Each peer's running totals as of its previous announce in a swarm, so that an announce can be turned into a
 * delta. A client reports {@code uploaded}/{@code downloaded} as totals since it sent {@code started} (BEP 3);
 * a restarted client starts again from 0. The rules:
 * <ul>
 *   <li>{@code started}: the session begins at 0, so the whole reported total is new;</li>
 *   <li>either total below the previous one: the client restarted without telling us (its {@code started} was
 *   lost), so the reported totals are new; a delta is never negative;</li>
 *   <li>otherwise: reported minus previous;</li>
 *   <li>a peer we have no previous totals for and that does not say {@code started} (this tracker restarted,
 *   the entry expired, a load balancer moved the peer here) only sets its baseline: counting its whole session
 *   again would count what another instance, or this one before a restart, already counted.</li>
 * </ul>
 * {@code completed} counts once per session: a retransmitted or repeated {@code completed} is not a second
 * download. {@code stopped} takes the final delta and forgets the peer.
 *
 * <p>This runs on every announce, so it allocates nothing on a known peer's announce and holds one of
 * {@value #STRIPES} stripe locks for a few dozen instructions: each stripe is an open-addressing table (linear
 * probing, deletion by backward shift, no tombstones) of primitive slots of one 64-byte cache line each, keyed
 * by both 20-byte ids as primitives. A map of boxed keys to entry objects (what this replaced) allocated a key,
 * a lambda and the deltas per announce and took three cache misses per lookup.
 *
 * <p>Entries live exactly as long as the store keeps the peer ({@code storage.peer-lifetime} without an
 * announce, removed by {@link #expire}), so memory is bounded by the number of live peers: 64 bytes per slot at
 * a load of 3/8 to 3/4 after growth, i.e. 85 to 171 bytes per peer (expiry shrinks a stripe that fell below
 * 1/8; measured with JOL: see the README's accounting section).
 */
final class PeerBaselines {
    static final int STRIPES = 64;
    private static final int STRIPE_SHIFT = Long.SIZE - Integer.numberOfTrailingZeros(STRIPES);
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final long lifetimeMs;

    PeerBaselines(long lifetimeMs) {
        this.lifetimeMs = lifetimeMs;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /**
     * Where an announce's delta goes ({@link PendingRows}). A sink rather than a returned value: the method is
     * too large for the JIT to inline, so a returned object would be allocated on every announce.
     */
    interface DeltaSink {
        void add(InfoHash infoHash, String subject, int epochDay, long uploaded, long downloaded, boolean completed);
    }

    /**
     * Records this announce's totals and hands what they add since the peer's previous announce to {@code sink}
     * (after the stripe's lock is released), with {@code subject} and {@code epochDay} passed through.
     */
    void apply(AnnounceRequest request, long nowMs, String subject, int epochDay, DeltaSink sink) {
        InfoHash h = request.infoHash();
        PeerId p = request.peer().id();
        long packed = pack(h.c(), p.c());
        long hash = hash(h.a(), h.b(), p.a(), p.b(), packed);
        Stripe s = stripes[(int) (hash >>> STRIPE_SHIFT)];
        long up = request.uploaded();
        long down = request.downloaded();
        Event event = request.event();
        long deltaUp;
        long deltaDown;
        boolean countCompleted;
        synchronized (s) {
            int slot = s.find(h.a(), h.b(), p.a(), p.b(), packed, hash);
            long[] t = s.slots;
            int base = slot << Stripe.SLOT_SHIFT;
            long state = t[base + Stripe.STATE];
            boolean completedBefore;
            if (state == Stripe.EMPTY) {
                deltaUp = event == Event.STARTED ? up : 0;
                deltaDown = event == Event.STARTED ? down : 0;
                completedBefore = false;
            } else {
                boolean restarted = event == Event.STARTED || up < t[base + Stripe.UPLOADED]
                        || down < t[base + Stripe.DOWNLOADED];
                deltaUp = restarted ? up : up - t[base + Stripe.UPLOADED];
                deltaDown = restarted ? down : down - t[base + Stripe.DOWNLOADED];
                completedBefore = (state & Stripe.COMPLETED) != 0 && !restarted;
            }
            countCompleted = event == Event.COMPLETED && !completedBefore;
            if (event == Event.STOPPED) {
                if (state != Stripe.EMPTY) {
                    s.removeAt(slot);
                }
            } else {
                long newState = (nowMs << 2) | (completedBefore || countCompleted ? Stripe.COMPLETED : 0)
                        | Stripe.USED;
                if (state == Stripe.EMPTY) {
                    s.insertAt(slot, h.a(), h.b(), p.a(), p.b(), packed, up, down, newState);
                } else {
                    t[base + Stripe.UPLOADED] = up;
                    t[base + Stripe.DOWNLOADED] = down;
                    t[base + Stripe.STATE] = newState;
                }
            }
        }
        sink.add(h, subject, epochDay, deltaUp, deltaDown, countCompleted);
    }

    /** Forgets peers that have not announced for the peer lifetime, as the store does. */
    int expire(long nowMs) {
        long cutoff = nowMs - lifetimeMs;
        int removed = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                removed += s.expire(cutoff);
            }
        }
        return removed;
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    /** Slots of all stripes, for the footprint figures. */
    int capacity() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.mask + 1;
            }
        }
        return n;
    }

    private static long pack(int hashC, int peerC) {
        return ((long) hashC << 32) | (peerC & 0xffff_ffffL);
    }

    /**
     * Spreads all five key words: peer ids start with a client prefix ({@code -qB4500-}), so their first word
     * says little; the top bits pick the stripe, the low bits the slot.
     */
    static long hash(long ha, long hb, long pa, long pb, long packed) {
        long x = ha;
        x = x * 0x9E37_79B9_7F4A_7C15L + hb;
        x = x * 0x9E37_79B9_7F4A_7C15L + pa;
        x = x * 0x9E37_79B9_7F4A_7C15L + pb;
        x = x * 0x9E37_79B9_7F4A_7C15L + packed;
        x ^= x >>> 33;
        x *= 0xff51_afd7_ed55_8ccdL;
        x ^= x >>> 33;
        x *= 0xc4ce_b9fe_1a85_ec53L;
        x ^= x >>> 33;
        return x;
    }

    /** One open-addressing table; every method runs under the stripe's monitor. */
    static final class Stripe {
        static final int SLOT_SHIFT = 3;
        /** Slot layout, 8 longs (64 bytes): the key, the previous totals, and the state word. */
        static final int HA = 0;
        static final int HB = 1;
        static final int PA = 2;
        static final int PB = 3;
        static final int PACKED = 4;
        static final int UPLOADED = 5;
        static final int DOWNLOADED = 6;
        /** 0: empty; else {@code seenMs << 2 | completed << 1 | 1}. */
        static final int STATE = 7;
        static final long EMPTY = 0;
        static final long USED = 1;
        static final long COMPLETED = 2;
        static final int MIN_CAPACITY = 16;

        long[] slots = new long[MIN_CAPACITY << SLOT_SHIFT];
        int mask = MIN_CAPACITY - 1;
        int size;

        /** The slot holding this key, or the empty slot where it belongs. */
        int find(long ha, long hb, long pa, long pb, long packed, long hash) {
            long[] t = slots;
            int i = (int) hash & mask;
            while (true) {
                int base = i << SLOT_SHIFT;
                if (t[base + STATE] == EMPTY || t[base + HA] == ha && t[base + HB] == hb && t[base + PA] == pa
                        && t[base + PB] == pb && t[base + PACKED] == packed) {
                    return i;
                }
                i = (i + 1) & mask;
            }
        }

        /** Fills the empty slot {@link #find} returned; grows first when that would pass a load of 3/4. */
        void insertAt(int slot, long ha, long hb, long pa, long pb, long packed, long up, long down, long state) {
            int i = slot;
            if ((size + 1) * 4L > (mask + 1) * 3L) {
                rehash((mask + 1) * 2);
                i = find(ha, hb, pa, pb, packed, hash(ha, hb, pa, pb, packed));
            }
            int base = i << SLOT_SHIFT;
            long[] t = slots;
            t[base + HA] = ha;
            t[base + HB] = hb;
            t[base + PA] = pa;
            t[base + PB] = pb;
            t[base + PACKED] = packed;
            t[base + UPLOADED] = up;
            t[base + DOWNLOADED] = down;
            t[base + STATE] = state;
            size++;
        }

        /**
         * Empties slot {@code i} and moves later members of its probe run back into the gap (Knuth's
         * algorithm R), so that lookups never need tombstones.
         */
        void removeAt(int i) {
            long[] t = slots;
            int gap = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                int jb = j << SLOT_SHIFT;
                if (t[jb + STATE] == EMPTY) {
                    break;
                }
                int home = (int) hash(t[jb + HA], t[jb + HB], t[jb + PA], t[jb + PB], t[jb + PACKED]) & mask;
                // the entry at j may fill the gap unless its home lies cyclically in (gap, j]
                boolean stays = gap <= j ? gap < home && home <= j : gap < home || home <= j;
                if (!stays) {
                    System.arraycopy(t, jb, t, gap << SLOT_SHIFT, 1 << SLOT_SHIFT);
                    gap = j;
                }
            }
            java.util.Arrays.fill(t, gap << SLOT_SHIFT, (gap + 1) << SLOT_SHIFT, 0L);
            size--;
        }

        /** Removes entries last seen before {@code cutoffMs}; shrinks a table that fell below a load of 1/8. */
        int expire(long cutoffMs) {
            int removed = 0;
            long[] t = slots;
            int i = 0;
            // a removal shifts a later entry into slot i, so i is looked at again before moving on
            while (i <= mask) {
                long state = t[(i << SLOT_SHIFT) + STATE];
                if (state != EMPTY && (state >> 2) < cutoffMs) {
                    removeAt(i);
                    removed++;
                } else {
                    i++;
                }
            }
            int capacity = mask + 1;
            if (capacity > MIN_CAPACITY && size * 8L < capacity) {
                rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 4));
            }
            return removed;
        }

        private void rehash(int capacity) {
            long[] old = slots;
            slots = new long[capacity << SLOT_SHIFT];
            mask = capacity - 1;
            for (int base = 0; base < old.length; base += 1 << SLOT_SHIFT) {
                if (old[base + STATE] != EMPTY) {
                    int i = find(old[base + HA], old[base + HB], old[base + PA], old[base + PB], old[base + PACKED],
                            hash(old[base + HA], old[base + HB], old[base + PA], old[base + PB], old[base + PACKED]));
                    System.arraycopy(old, base, slots, i << SLOT_SHIFT, 1 << SLOT_SHIFT);
                }
            }
        }
    }
}
