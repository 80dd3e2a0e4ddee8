package io.swarmgate.testing;

/** The one place tests write the accounting posthook's YAML (subject claim {@code sub}, as the tests' tokens). */
public final class AccountingYaml {
    private AccountingYaml() {
    }

    /** A top-level {@code posthooks:} section: accounting into {@code jdbcUrl}. */
    public static String posthook(String jdbcUrl, String flushInterval, int maxPending) {
        return """
                posthooks:
                  - name: accounting
                    config:
                      jdbc-url: "%s"
                      flush-interval: %s
                      max-pending: %d
                      subject-claim: sub
                """.formatted(jdbcUrl, flushInterval, maxPending);
    }
}
