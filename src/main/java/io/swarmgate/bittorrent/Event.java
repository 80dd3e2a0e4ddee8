package io.swarmgate.bittorrent;

/** The announce {@code event} (BEP 3; {@code paused} from BEP 21). */
public enum Event {
    NONE(""),
    STARTED("started"),
    STOPPED("stopped"),
    COMPLETED("completed"),
    PAUSED("paused");

    private final String wireName;

    Event(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * @throws ClientError for anything but the five known names (an empty value is {@link #NONE})
     */
    public static Event parse(String value) throws ClientError {
        return switch (value) {
            case "", "empty" -> NONE;
            case "started" -> STARTED;
            case "stopped" -> STOPPED;
            case "completed" -> COMPLETED;
            case "paused" -> PAUSED;
            default -> throw ClientError.badRequest("invalid event: must be started, stopped, completed, paused or empty");
        };
    }

    /** The BEP 15 event field: 0 none, 1 completed, 2 started, 3 stopped. */
    public static Event fromUdp(int code) throws ClientError {
        return switch (code) {
            case 0 -> NONE;
            case 1 -> COMPLETED;
            case 2 -> STARTED;
            case 3 -> STOPPED;
            default -> throw ClientError.badRequest("invalid event " + code);
        };
    }

    public int udpCode() {
        return switch (this) {
            case NONE, PAUSED -> 0;
            case COMPLETED -> 1;
            case STARTED -> 2;
            case STOPPED -> 3;
        };
    }
}
