package dev.llmthrottle.bench.adaptive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.llmthrottle.bench.report.Machine;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.LatencyModel;
import dev.llmthrottle.test.stats.ProviderStats;

/**
 * {@code max-concurrent: auto} against the simulated provider (issue 14), two scenarios:
 * <ol>
 * <li><b>cap</b>: the provider serves at most 6 calls at once (an OpenAI-style 429 for
 * the excess; the client does not know the number), latency 500 ms, a request limit that
 * does not bind. The batch runs once with {@code max-concurrent: auto} and once with the
 * true cap configured ({@code max-concurrent: 6}); targets: concurrency refusals under 1%
 * of calls, makespan within 10% of the configured client's.</li>
 * <li><b>step</b>: no concurrency cap, the request limit binds (600 per minute, paced at
 * 10/s), latency 500 ms doubling to 1 s mid-run: Little's law wants 5 in flight before
 * and 10 after. Target: the limit reaches {@code rate x new latency} within 30 s of the
 * step.</li>
 * </ol>
 * Real time, loopback HTTP, one JVM, after a short warm-up batch (class loading, token
 * encodings) so that the first measured run does not pay for it. Prints {@code ADAPTIVE}
 * lines, the limit's trace and the markdown tables of docs/benchmarks.md; every target is
 * checked from the measurements, never typed.
 *
 * <p>
 * Flags: {@code --calls=600 --callers=32 --cap=6 --latency-ms=500 --cap-rpm=1200
 * --step-calls=600 --step-rpm=600 --step-at-s=20 --scenarios=cap,step --seed=1}.
 */
public final class AdaptiveConcurrencyRun {

	private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,"
			+ "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

	private AdaptiveConcurrencyRun() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> flags = flags(args);
		int calls = Integer.parseInt(flags.getOrDefault("calls", "600"));
		int callers = Integer.parseInt(flags.getOrDefault("callers", "32"));
		int cap = Integer.parseInt(flags.getOrDefault("cap", "6"));
		long latencyMs = Long.parseLong(flags.getOrDefault("latency-ms", "500"));
		long capRpm = Long.parseLong(flags.getOrDefault("cap-rpm", "1200"));
		int stepCalls = Integer.parseInt(flags.getOrDefault("step-calls", "600"));
		long stepRpm = Long.parseLong(flags.getOrDefault("step-rpm", "600"));
		long stepAtS = Long.parseLong(flags.getOrDefault("step-at-s", "20"));
		long seed = Long.parseLong(flags.getOrDefault("seed", "1"));
		String scenarios = flags.getOrDefault("scenarios", "cap,step");
		System.out.println(Machine.line("# machine"));
		JtokkitTokenCounter tokenCounter = new JtokkitTokenCounter();
		warmUp(callers, tokenCounter, seed);
		List<String> targets = new ArrayList<>();
		if (scenarios.contains("cap")) {
			Result auto = run("cap", "auto", calls, callers, cap, LatencyModel.fixed(Duration.ofMillis(latencyMs)),
					capRpm, seed, tokenCounter);
			Result fixed = run("cap", Integer.toString(cap), calls, callers, cap,
					LatencyModel.fixed(Duration.ofMillis(latencyMs)), capRpm, seed, tokenCounter);
			System.out.println();
			System.out.println("| client | calls | ok | concurrency 429s | 429s / calls | makespan | vs true cap "
					+ "| limit at end | max in flight |");
			System.out.println("|---|---|---|---|---|---|---|---|---|");
			for (Result result : List.of(auto, fixed)) {
				System.out.printf(Locale.ROOT,
						"| max-concurrent: %s | %d | %d | %d | %.2f%% | %.1f s | %.3f | %d | %d |%n",
						result.maxConcurrent, result.calls, result.ok, result.refusedConcurrency,
						100.0 * result.refusedConcurrency / result.calls, result.makespanMillis / 1000.0,
						(double) result.makespanMillis / fixed.makespanMillis, result.lastLimit, result.maxInFlight);
			}
			double refusedShare = (double) auto.refusedConcurrency / auto.calls;
			double ratio = (double) auto.makespanMillis / fixed.makespanMillis;
			targets.add(target("cap: overload refusals < 1% of calls",
					String.format(Locale.ROOT, "%.2f%%", 100 * refusedShare), refusedShare < 0.01));
			targets.add(target("cap: makespan within 10% of max-concurrent: " + cap,
					String.format(Locale.ROOT, "%.3f", ratio), ratio <= 1.10));
			targets.add(target("cap: every call succeeded", auto.ok + " of " + auto.calls, auto.ok == auto.calls));
		}
		if (scenarios.contains("step")) {
			LatencyModel stepping = LatencyModel.fixed(Duration.ofMillis(latencyMs))
				.withStep(Duration.ofSeconds(stepAtS), 2);
			Result step = run("step", "auto", stepCalls, callers, 0, stepping, stepRpm, seed, tokenCounter);
			double rate = stepRpm / 60.0;
			long need = (long) Math.ceil(rate * 2 * latencyMs / 1000.0);
			long stepMs = step.stepAtMillis;
			long followedMs = -1;
			for (long[] sample : step.trace) {
				if (sample[0] >= stepMs && sample[1] >= need) {
					followedMs = sample[0] - stepMs;
					break;
				}
			}
			System.out.println();
			System.out.println("| scenario | calls | ok | 429s | makespan | limit before the step | limit at end "
					+ "| rate x new latency | limit followed after | calls/s after the step |");
			System.out.println("|---|---|---|---|---|---|---|---|---|---|");
			System.out.printf(Locale.ROOT,
					"| latency %d ms -> %d ms at %d s, %d requests/min | %d | %d | %d | %.1f s "
							+ "| %d | %d | %d | %s | %.2f |%n",
					latencyMs, 2 * latencyMs, stepAtS, stepRpm, step.calls, step.ok, step.refusedAll,
					step.makespanMillis / 1000.0, limitAt(step.trace, stepMs - 1000), step.lastLimit, need,
					(followedMs >= 0) ? String.format(Locale.ROOT, "%.1f s", followedMs / 1000.0) : "never",
					step.callsPerSecondAfter);
			targets.add(target("step: limit follows the doubled latency within 30 s",
					(followedMs >= 0) ? String.format(Locale.ROOT, "%.1f s", followedMs / 1000.0) : "never",
					followedMs >= 0 && followedMs <= 30_000));
		}
		System.out.println();
		targets.forEach(System.out::println);
	}

	/**
	 * Loads and compiles what every run uses (HTTP client, interceptor, token encodings)
	 * with a short batch against a provider of its own, so that the first measured run
	 * does not pay for it.
	 */
	private static void warmUp(int callers, JtokkitTokenCounter tokenCounter, long seed) throws Exception {
		try (SimulatedProvider provider = SimulatedProvider.builder().latency(Duration.ofMillis(20)).seed(seed).start();
				AdaptiveClient client = new AdaptiveClient(provider.baseUrl(), provider.chatUri(), 60_000, "auto", seed,
						tokenCounter)) {
			ExecutorService pool = Executors.newFixedThreadPool(callers);
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				loops.add(pool.submit(() -> {
					for (int c = 0; c < 10; c++) {
						client.send(BODY);
					}
				}));
			}
			for (Future<?> loop : loops) {
				loop.get(5, TimeUnit.MINUTES);
			}
			pool.shutdownNow();
		}
	}

	private static Result run(String scenario, String maxConcurrent, int calls, int callers, int cap,
			LatencyModel latency, long rpm, long seed, JtokkitTokenCounter tokenCounter) throws Exception {
		long providerStart = System.nanoTime();
		try (SimulatedProvider provider = SimulatedProvider.builder()
			.maxConcurrent(cap)
			.limit("requests", rpm, Duration.ofMinutes(1))
			.latency(latency)
			.seed(seed)
			.start();
				AdaptiveClient client = new AdaptiveClient(provider.baseUrl(), provider.chatUri(), rpm, maxConcurrent,
						seed, tokenCounter)) {
			ExecutorService pool = Executors.newFixedThreadPool(callers + 1);
			AtomicInteger next = new AtomicInteger();
			AtomicInteger ok = new AtomicInteger();
			AtomicLong lastDone = new AtomicLong();
			Map<String, AtomicInteger> failures = new TreeMap<>();
			List<long[]> trace = java.util.Collections.synchronizedList(new ArrayList<>());
			List<Long> completions = java.util.Collections.synchronizedList(new ArrayList<>());
			AtomicInteger maxInFlight = new AtomicInteger();
			long start = System.nanoTime();
			Future<?> sampler = pool.submit(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					int inFlight = client.partition().snapshot().inFlight();
					maxInFlight.accumulateAndGet(inFlight, Math::max);
					trace.add(new long[] { (System.nanoTime() - start) / 1_000_000,
							client.partition().concurrencyLimit(), inFlight });
					try {
						Thread.sleep(100);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			List<Future<?>> loops = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				loops.add(pool.submit(() -> {
					while (next.getAndIncrement() < calls) {
						String status = client.send(BODY);
						long done = System.nanoTime();
						completions.add(done);
						lastDone.accumulateAndGet(done, Math::max);
						if (status.equals("200")) {
							ok.incrementAndGet();
						}
						else {
							synchronized (failures) {
								failures.computeIfAbsent(status, (k) -> new AtomicInteger()).incrementAndGet();
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> loop : loops) {
				loop.get(30, TimeUnit.MINUTES);
			}
			sampler.cancel(true);
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
			ProviderStats stats = provider.stats();
			Result result = new Result();
			result.maxConcurrent = maxConcurrent;
			result.calls = calls;
			result.ok = ok.get();
			result.refusedConcurrency = stats.rejected("concurrency");
			result.refusedAll = stats.rejected();
			result.makespanMillis = (lastDone.get() - start) / 1_000_000;
			result.trace = new ArrayList<>(trace);
			result.lastLimit = client.partition().concurrencyLimit();
			result.maxInFlight = maxInFlight.get();
			result.stepAtMillis = (providerStart - start) / 1_000_000 + latency.stepAfter().toMillis();
			long stepNanos = start + result.stepAtMillis * 1_000_000 + 5_000_000_000L;
			long after = completions.stream().filter((t) -> t >= stepNanos).count();
			double window = (lastDone.get() - stepNanos) / 1e9;
			result.callsPerSecondAfter = (window > 0) ? after / window : 0;
			System.out.printf(Locale.ROOT,
					"ADAPTIVE scenario=%s max_concurrent=%s calls=%d ok=%d failures=%s provider_429_concurrency=%d "
							+ "provider_rejected=%d makespan_ms=%d limit_end=%d max_in_flight=%d leaks=%s%n",
					scenario, maxConcurrent, calls, result.ok, failures, result.refusedConcurrency, result.refusedAll,
					result.makespanMillis, result.lastLimit, result.maxInFlight,
					client.leaks().isEmpty() ? "none" : client.leaks());
			StringBuilder line = new StringBuilder("TRACE scenario=" + scenario + " max_concurrent=" + maxConcurrent
					+ " (s:limit/in-flight, every 2 s)");
			for (long[] sample : result.trace) {
				if (sample[0] % 2000 < 100) {
					line.append(' ')
						.append(sample[0] / 1000)
						.append(':')
						.append(sample[1])
						.append('/')
						.append(sample[2]);
				}
			}
			System.out.println(line);
			return result;
		}
	}

	private static long limitAt(List<long[]> trace, long millis) {
		long limit = 0;
		for (long[] sample : trace) {
			if (sample[0] <= millis) {
				limit = sample[1];
			}
		}
		return limit;
	}

	private static String target(String what, String measured, boolean met) {
		return "TARGET " + what + ": " + measured + " -> " + (met ? "met" : "MISSED");
	}

	private static Map<String, String> flags(String[] args) {
		Map<String, String> flags = new TreeMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new IllegalArgumentException("flags are --name=value, got " + arg);
			}
			flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		return flags;
	}

	private static final class Result {

		String maxConcurrent;

		int calls;

		int ok;

		long refusedConcurrency;

		long refusedAll;

		long makespanMillis;

		List<long[]> trace;

		int lastLimit;

		int maxInFlight;

		long stepAtMillis;

		double callsPerSecondAfter;

	}

}
