/**
 * Small concurrency pieces shared by the store and the frontends without either importing the other:
 * {@link io.swarmgate.concurrent.Burst}, which lets the thread that completes a burst of a remote store's replies
 * send the frontend's answers to all of them together.
 */
package io.swarmgate.concurrent;
