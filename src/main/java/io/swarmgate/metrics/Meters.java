package io.swarmgate.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.management.ManagementFactory;

/**
 * The process's one meter registry: a {@link PrometheusMeterRegistry} with the JVM and process binders bound
 * (memory, GC, threads, class loading, CPU, uptime, open files). Components get {@link #registry()} injected and
 * register their own meters; closing this stops the GC listener and closes the registry.
 *
 * <p>JVM and process meters keep Micrometer's standard names ({@code jvm_*}, {@code process_*},
 * {@code system_*}) so stock JVM dashboards work; swarmgate's own meters are named {@code swarmgate.*}.
 */
public final class Meters implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    /** Null when the JVM and process binders were left out ({@link #withoutJvmMeters()}). */
    private final JvmGcMetrics gcMetrics;

    private Meters(Clock clock, boolean jvm) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        // Two of Micrometer's process meters fail promtool's naming lints: a counter in nanoseconds
        // (process_cpu_time_ns_total) and a gauge ending in _count (system_cpu_count). The first is replaced by
        // the name the Prometheus Java client uses, in seconds; the second is renamed.
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
        if (!jvm) {
            this.gcMetrics = null;
            return;
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the process")
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** A registry on the system clock with the JVM and process meters bound. */
    public static Meters create() {
        return create(Clock.SYSTEM);
    }

    /** The same on a given clock (tests use {@code MockClock} to step time for gauges that cache). */
    public static Meters create(Clock clock) {
        return new Meters(clock, true);
    }

    /**
     * A registry for a tracker whose metrics listener is off: its own meters still count (hooks and the
     * operator routes read some), but no JVM or process binder is bound, since nothing can read them. The one
     * that costs something is the GC binder: it listens for the JVM's GC notifications, and handling one took
     * 0.5-1.4 ms of the "Notification Thread" after every young collection, on the core the UDP worker shares
     * (perf sched at 50,000 announces/s on one pinned core: 15 runs over 0.5 ms in 8 s; docs/performance.md
     * "UDP p99 at half of peak").
     */
    public static Meters withoutJvmMeters() {
        return new Meters(Clock.SYSTEM, false);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        registry.close();
    }
}
