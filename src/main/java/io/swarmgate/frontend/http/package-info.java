/**
 * The HTTP frontend (BEP 3, 23, 7, 48): a Helidon {@code HttpService} that parses announce and scrape queries
 * into request records, asks {@link io.swarmgate.logic.TrackerLogic} and writes sorted bencode.
 */
package io.swarmgate.frontend.http;
