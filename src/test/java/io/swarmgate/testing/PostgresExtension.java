package io.swarmgate.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.SQLException;

/**
 * The one way a test gets a real PostgreSQL ({@link PostgresServer}, stopped by its PID). Registered on a static
 * field ({@code @RegisterExtension static final PostgresExtension pg = new PostgresExtension()}) it starts one
 * server before the class's first test and stops it after the last, and {@link #freshDatabase()} gives each test
 * an empty database of its own; registered on an instance field, each test gets a server of its own, for tests
 * that kill and restart it.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private PostgresServer server;
    private boolean perClass;
    private int databases;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        server = PostgresServer.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            server = PostgresServer.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void stop() throws Exception {
        if (server != null) {
            PostgresServer s = server;
            server = null;
            s.close();
        }
    }

    /** The running server. */
    public PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("PostgreSQL is not running: register the extension with @RegisterExtension");
        }
        return server;
    }

    /** The JDBC URL of the server's default database. */
    public String jdbcUrl() {
        return server().jdbcUrl();
    }

    /** A new empty database, so that tests sharing the server do not see each other's rows; its JDBC URL. */
    public String freshDatabase() throws SQLException {
        return server().createDatabase("test_" + ++databases);
    }
}
