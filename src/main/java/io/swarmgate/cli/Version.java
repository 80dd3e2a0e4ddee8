package io.swarmgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version the build stamped into {@code io/swarmgate/version.properties} (Maven resource filtering). */
public final class Version {
    private Version() {
    }

    /** E.g. {@code 0.1.0}; the build always writes it, so a missing file is a broken build, not a user error. */
    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/io/swarmgate/version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/swarmgate/version.properties is missing from the build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
