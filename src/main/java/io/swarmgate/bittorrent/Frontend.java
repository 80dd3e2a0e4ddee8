package io.swarmgate.bittorrent;

/** Which listener carried a request; a bounded metrics label. */
public enum Frontend {
    HTTP("http"),
    UDP("udp");

    private final String label;

    Frontend(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
