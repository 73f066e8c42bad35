package dev.llmthrottle.bench.overhead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import dev.llmthrottle.bench.report.Machine;

/**
 * Runs {@link AdmissionBenchmarks} with 1, 2 and 8 threads and prints one
 * {@code JMH key=value} line per benchmark and thread count, with its ratio to the bare
 * Resilience4j bulkhead + two rate limiters measured in the same run, then one
 * {@code JMH_TARGETS} line per thread count. Flags:
 * {@code --threads=1,2,8 --forks=1 --warmups=3
 * --warmup-time=1 --iterations=5 --time=1} (times in seconds) and {@code --include=REGEX}
 * (benchmark methods).
 */
public final class OverheadRun {

	static final String REFERENCE = "r4j_bulkhead_2limiters";

	private OverheadRun() {
	}

	public static void main(String[] args) throws RunnerException {
		Map<String, String> flags = flags(args);
		List<Integer> threadCounts = new ArrayList<>();
		for (String count : flags.getOrDefault("threads", "1,2,8").split(",")) {
			threadCounts.add(Integer.parseInt(count.trim()));
		}
		String include = flags.getOrDefault("include", ".*");
		List<String> lines = new ArrayList<>();
		lines.add(Machine.line("JMH_MACHINE"));
		for (int threads : threadCounts) {
			Options options = new OptionsBuilder()
				.include(AdmissionBenchmarks.class.getName() + "\\.(" + include + ")$")
				.threads(threads)
				.forks(Integer.parseInt(flags.getOrDefault("forks", "1")))
				.warmupIterations(Integer.parseInt(flags.getOrDefault("warmups", "3")))
				.warmupTime(TimeValue.seconds(Long.parseLong(flags.getOrDefault("warmup-time", "1"))))
				.measurementIterations(Integer.parseInt(flags.getOrDefault("iterations", "5")))
				.measurementTime(TimeValue.seconds(Long.parseLong(flags.getOrDefault("time", "1"))))
				.shouldFailOnError(true)
				.build();
			Map<String, Result<?>> scores = new LinkedHashMap<>();
			for (RunResult result : new Runner(options).run()) {
				String name = result.getParams().getBenchmark();
				scores.put(name.substring(name.lastIndexOf('.') + 1), result.getPrimaryResult());
			}
			lines.addAll(describe(threads, scores));
		}
		System.out.println();
		lines.forEach(System.out::println);
	}

	/** The lines for one thread count. */
	static List<String> describe(int threads, Map<String, Result<?>> scores) {
		List<String> lines = new ArrayList<>();
		Result<?> reference = scores.get(REFERENCE);
		for (Map.Entry<String, Result<?>> entry : scores.entrySet()) {
			double score = entry.getValue().getScore();
			StringBuilder line = new StringBuilder("JMH benchmark=" + entry.getKey() + " threads=" + threads)
				.append(format(" ns_op=%.1f error_ns=%.1f", score, entry.getValue().getScoreError()));
			if (reference != null) {
				line.append(format(" vs_r4j=%.2f", score / reference.getScore()));
			}
			lines.add(line.toString());
		}
		Result<?> common = scores.get("ours_common");
		Result<?> proxy = scores.get("ours_proxy");
		if (common != null) {
			StringBuilder line = new StringBuilder("JMH_TARGETS threads=" + threads)
				.append(format(" ours_common_ns=%.1f", common.getScore()));
			if (reference != null) {
				line.append(format(" common_vs_r4j=%.2f", common.getScore() / reference.getScore()));
			}
			if (proxy != null) {
				line.append(format(" proxy_adds_ns=%.1f", proxy.getScore() - common.getScore()));
			}
			lines.add(line.toString());
		}
		return lines;
	}

	private static String format(String pattern, Object... values) {
		return String.format(Locale.ROOT, pattern, values);
	}

	static Map<String, String> flags(String[] args) {
		Map<String, String> flags = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new IllegalArgumentException("expected --name=value but got '" + arg + "'");
			}
			flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		return flags;
	}

}
