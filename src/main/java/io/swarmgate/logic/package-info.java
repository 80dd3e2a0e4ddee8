/**
 * {@link io.swarmgate.logic.TrackerLogic}: prehooks, the response from the store, posthooks and the swarm
 * update, shared by every frontend.
 */
package io.swarmgate.logic;
