/**
 * The {@code subnet-preference} prehook: it tells the peer store which locality tiers to fill an announcer's
 * peer list from, as prefix lengths of the announcer's own address family (nearest first), so that peers in
 * the same rack (/24) come before peers in the same data centre (/16) and those before everyone else. The
 * hook only states the preference; the store orders and cuts the peers. Where racks are not one prefix length, a
 * topology map ({@code topology}, {@code topology-file}) places networks at paths of labels and the announcer gets
 * its path's group keys instead.
 */
package io.swarmgate.hook.subnet;
