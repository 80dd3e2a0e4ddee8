package io.swarmgate;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT end the tracker with exit status 0. The JVM's default would run shutdown hooks and exit
 * with 143/130, which service managers and CI read as a crash; handling the signals lets {@link Main} close
 * the listeners, hooks and store in order and return normally.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> action.run());
            } catch (IllegalArgumentException e) {
                // signal not available on this platform: the JVM default applies
            }
        }
    }
}
