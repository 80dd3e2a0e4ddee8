package io.swarmgate.hook.accounting;

import io.helidon.config.Config;
import io.swarmgate.hook.Hook;
import io.swarmgate.hook.HookFactory;
import io.swarmgate.hook.HookServices;

import java.time.Duration;

/**
 * {@code name: accounting}; see {@link AccountingConfig} for its keys. Use it as a posthook (as a prehook it
 * would count refused announces too). Start-up does not wait for the database: the tracker serves without it,
 * and the first flush creates the schema.
 */
public final class AccountingHookFactory implements HookFactory {
    public static final String NAME = "accounting";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Hook create(Config config, HookServices services) {
        AccountingHook hook = create(AccountingConfig.create(config), services);
        hook.start();
        return hook;
    }

    /** Built but not started: tests drive {@link AccountingHook#flush()} themselves. */
    static AccountingHook create(AccountingConfig config, HookServices services) {
        // a database that takes longer than this to connect or answer is treated as away for this attempt
        Duration timeout = config.flushInterval().compareTo(Duration.ofSeconds(5)) < 0
                ? config.flushInterval() : Duration.ofSeconds(5);
        return new AccountingHook(config, new AccountingDatabase(config.jdbcUrl(), timeout), services.clock(),
                services.meters(), services.peerLifetime());
    }
}
