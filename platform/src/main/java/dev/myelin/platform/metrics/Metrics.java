package dev.myelin.platform.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;

/**
 * The process's meter registry, which components add their meters to, and its Prometheus rendering. When
 * metrics are off the registry is an empty composite: meters cost nearly nothing and nothing is served.
 */
public final class Metrics {
    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private boolean jvmMetersBound;

    private Metrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
    }

    /** A Prometheus registry; the JVM's memory and thread meters join it at the first scrape. */
    public static Metrics prometheus() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return new Metrics(prometheus, prometheus);
    }

    /** Metrics turned off: meters may be registered but are neither kept nor served. */
    public static Metrics disabled() {
        return new Metrics(new CompositeMeterRegistry(), null);
    }

    public MeterRegistry registry() { return registry; }

    public boolean enabled() { return prometheus != null; }

    /** The Prometheus text exposition, or empty when metrics are off. */
    public Optional<String> scrape() {
        if (prometheus == null) return Optional.empty();
        synchronized (this) {
            // why: binding JVM meters loads the JMX machinery (~0.1 s); no one needs them before the first scrape
            if (!jvmMetersBound) {
                new JvmMemoryMetrics().bindTo(prometheus);
                new JvmThreadMetrics().bindTo(prometheus);
                jvmMetersBound = true;
            }
        }
        return Optional.of(prometheus.scrape());
    }
}
