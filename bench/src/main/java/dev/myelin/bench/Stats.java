package dev.myelin.bench;

import java.util.List;

/** Order statistics of measured samples. */
public final class Stats {
    private Stats() {}

    public static double percentile(List<Double> samples, double p) {
        var sorted = samples.stream().sorted().toList();
        if (sorted.isEmpty()) return Double.NaN;
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    public static double median(List<Double> samples) {
        return percentile(samples, 50);
    }

    public static double min(List<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public static double max(List<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
