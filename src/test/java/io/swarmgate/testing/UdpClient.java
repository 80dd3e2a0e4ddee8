package io.swarmgate.testing;

import io.swarmgate.bittorrent.AddressFamily;
import io.swarmgate.bittorrent.InfoHash;
import io.swarmgate.bittorrent.IpAddress;
import io.swarmgate.bittorrent.PeerId;
import io.swarmgate.protocol.udp.UdpAnnounceRequest;
import io.swarmgate.protocol.udp.UdpAnnounceResponse;
import io.swarmgate.protocol.udp.UdpRequests;
import io.swarmgate.protocol.udp.UdpResponses;
import io.swarmgate.protocol.udp.UdpConnectRequest;
import io.swarmgate.protocol.udp.UdpConnectResponse;
import io.swarmgate.protocol.udp.UdpRequest;
import io.swarmgate.protocol.udp.UdpResponse;
import io.swarmgate.protocol.udp.UdpScrapeRequest;
import io.swarmgate.protocol.udp.UdpScrapeResponse;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A BEP 15 client built on the shared codec, for tests over a real socket. */
public final class UdpClient implements AutoCloseable {
    public final DatagramSocket socket;
    public final InetSocketAddress tracker;
    public final AddressFamily family;
    public final PeerId peerId;
    public final int port;
    public int lastLength;
    private int transaction;

    public UdpClient(String loopback, int trackerPort, int n) throws IOException {
        InetAddress address = InetAddress.getByName(loopback);
        socket = new DatagramSocket(new InetSocketAddress(address, 0));
        tracker = new InetSocketAddress(address, trackerPort);
        family = IpAddress.of(address).family();
        port = socket.getLocalPort();
        byte[] id = "-SG0001-000000000000".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer.wrap(id).putInt(16, n);
        peerId = PeerId.of(id);
    }

    /** The same socket and peer, talking to another tracker port on the same address. */
    public UdpClient(UdpClient other, int trackerPort) {
        socket = other.socket;
        tracker = new InetSocketAddress(other.tracker.getAddress(), trackerPort);
        family = other.family;
        peerId = other.peerId;
        port = other.port;
        transaction = 1000;
    }

    public int nextTransaction() {
        return ++transaction;
    }

    public long connect() throws IOException {
        int tid = nextTransaction();
        UdpConnectResponse r = (UdpConnectResponse) exchange(new UdpConnectRequest(tid));
        assertEquals(tid, r.transactionId());
        return r.connectionId();
    }

    public UdpAnnounceRequest announceRequest(long connectionId, InfoHash infoHash, long left, int numWant, int port,
                                       String urlData) {
        return new UdpAnnounceRequest(connectionId, nextTransaction(), infoHash, peerId, 0, left, 0, 0, 0, 0,
                numWant, port, urlData);
    }

    public UdpAnnounceResponse announce(InfoHash infoHash, long left, int numWant, String urlData) throws IOException {
        UdpResponse r = exchange(announceRequest(connect(), infoHash, left, numWant, port, urlData));
        return assertInstanceOf(UdpAnnounceResponse.class, r, r::toString);
    }

    /** An announce on a connection id already held; {@code event} as BEP 15 numbers it (1 completed, 3 stopped). */
    public UdpAnnounceResponse announce(long connectionId, InfoHash infoHash, long left, int event)
            throws IOException {
        UdpResponse r = exchange(new UdpAnnounceRequest(connectionId, nextTransaction(), infoHash, peerId, 0, left, 0,
                event, 0, 0, -1, port, ""));
        return assertInstanceOf(UdpAnnounceResponse.class, r, r::toString);
    }

    public UdpScrapeResponse scrape(long connectionId, InfoHash infoHash) throws IOException {
        UdpResponse r = exchange(new UdpScrapeRequest(connectionId, nextTransaction(), List.of(infoHash)));
        return assertInstanceOf(UdpScrapeResponse.class, r, r::toString);
    }

    public UdpScrapeResponse scrape(InfoHash infoHash) throws IOException {
        UdpResponse r = exchange(new UdpScrapeRequest(connect(), nextTransaction(), List.of(infoHash)));
        return assertInstanceOf(UdpScrapeResponse.class, r, r::toString);
    }

    public UdpResponse exchange(UdpRequest request) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4096);
        UdpRequests.encode(out, request);
        socket.send(new DatagramPacket(out.array(), out.position(), tracker));
        UdpResponse response = receive(5000);
        assertEquals(request.transactionId(), response.transactionId());
        return response;
    }

    public void sendRaw(byte[] packet) throws IOException {
        socket.send(new DatagramPacket(packet, packet.length, tracker));
    }

    public UdpResponse receive(int timeoutMillis) throws IOException {
        byte[] in = new byte[65536];
        DatagramPacket packet = new DatagramPacket(in, in.length);
        socket.setSoTimeout(timeoutMillis);
        socket.receive(packet);
        lastLength = packet.getLength();
        try {
            return UdpResponses.decode(ByteBuffer.wrap(in, 0, packet.getLength()), family);
        } catch (io.swarmgate.protocol.udp.UdpCodecException e) {
            throw new AssertionError("tracker sent a malformed packet: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
