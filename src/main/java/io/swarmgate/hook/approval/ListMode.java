package io.swarmgate.hook.approval;

/** Whether a listed entry is the only thing admitted, or the only thing refused. */
enum ListMode {
    ALLOW("allow"),
    DENY("deny");

    private final String key;

    ListMode(String key) {
        this.key = key;
    }

    /** The config key that selects this mode. */
    String key() {
        return key;
    }

    /** Whether a request whose entry is (or is not) {@code listed} is admitted. */
    boolean admits(boolean listed) {
        return listed == (this == ALLOW);
    }
}
