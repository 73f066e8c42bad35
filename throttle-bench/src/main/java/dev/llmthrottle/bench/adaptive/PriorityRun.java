package dev.llmthrottle.bench.adaptive;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.llmthrottle.autoconfigure.ConcurrencyAmount;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.bench.report.Machine;
import dev.llmthrottle.call.LlmThrottler;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.ProtocolHeaders;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.stats.ProviderStats;

/**
 * Priority lanes against the simulated provider (issue 14): a batch of {@code --calls}
 * calls submitted at once in the {@link Priority#BATCH} lane saturates the requests limit
 * ({@code --requests} per {@code --period-s}), while interactive calls arrive at
 * {@code --interactive-per-s} in the {@link Priority#INTERACTIVE} lane of the same
 * partition. Everything goes through the programmatic API ({@link LlmThrottler}, policy
 * built from {@code llm.throttle.providers.sim.*} properties, {@code min-share} included)
 * and a JDK {@code HttpClient} to the simulator over loopback.
 *
 * <p>
 * Measured: each interactive call's admission wait (from submitting it to the pipeline
 * sending it), against one pacing interval of the binding limit
 * ({@code period / amount}); the batch's share of all admissions while interactive calls
 * were arriving, against the configured minimum share; the provider's 429s. Two cells by
 * default: one interactive call a second for the whole batch (the scenario), and
 * interactive calls at twice the limit's rate for {@code --flood-s} seconds, where only
 * the minimum share keeps the batch moving. Prints {@code PRIORITY_MACHINE}, one
 * {@code PRIORITY} line per cell and one {@code PRIORITY_TARGET} line per target.
 */
public final class PriorityRun {

	private static final String PROVIDER = "sim";

	private static final String KEY = "sk-bench-not-a-key";

	private PriorityRun() {
	}

	public static void main(String[] args) throws Exception {
		Options options = Options.parse(args);
		System.out.println(Machine.line("PRIORITY_MACHINE"));
		double rate = (double) options.requests / options.periodS;
		List<Cell> cells = new ArrayList<>();
		if (options.cells.contains("steady")) {
			cells.add(new Cell("steady", options.interactivePerS, 0));
		}
		if (options.cells.contains("flood")) {
			cells.add(new Cell("flood", 2 * rate, options.floodS));
		}
		for (Cell cell : cells) {
			Result result = run(options, cell);
			print(options, cell, result);
		}
	}

	private record Cell(String name, double interactivePerS, int durationS) {
	}

	private static Result run(Options options, Cell cell) throws Exception {
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect("openai")
			.model(options.model)
			.limit("requests", options.requests, Duration.ofSeconds(options.periodS))
			.latency(Duration.ofMillis(options.latencyMs))
			.seed(options.seed)
			.start(); SystemTimeSource time = new SystemTimeSource()) {
			ProviderDefinition definition = new ThrottlePolicyFactory().definitions(properties(simulator, options))
				.get(PROVIDER);
			ProviderThrottler engine = new ProviderThrottler(definition.policy(), time,
					new ThrottlePolicyFactory().partitionKeys(new LlmThrottleProperties()), ThrottleListener.NONE);
			LlmProvider provider = new LlmProvider(PROVIDER, definition.dialect(), definition.baseUrls(),
					definition.retry(), definition.defaultOutputTokens(), engine);
			ExecutorService senders = Executors.newFixedThreadPool(2);
			ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor();
			HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			try {
				LlmThrottler throttler = LlmThrottler.of(provider,
						new ResponseFeedback(Clock.systemUTC(), new Random(options.seed), ThrottleListener.NONE), time)
					.withFailureReader(PriorityRun::reply)
					.withExecutor(senders);
				Recorder recorder = new Recorder();
				URI chat = simulator.chatUri();
				long start = System.nanoTime();
				List<CompletableFuture<?>> batch = new ArrayList<>(options.calls);
				LlmThrottler batchLane = throttler.withPriority(Priority.BATCH);
				for (int i = 0; i < options.calls; i++) {
					batch.add(send(batchLane, http, chat, recorder, Priority.BATCH));
				}
				CompletableFuture<Void> batchDone = CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new));
				LlmThrottler interactiveLane = throttler.withPriority(Priority.INTERACTIVE);
				List<CompletableFuture<?>> interactive = new ArrayList<>();
				long periodNanos = (long) (1e9 / cell.interactivePerS);
				long stopAt = (cell.durationS > 0) ? start + Duration.ofSeconds(1 + cell.durationS).toNanos()
						: Long.MAX_VALUE;
				arrivals.scheduleAtFixedRate(() -> {
					if (!batchDone.isDone() && System.nanoTime() - stopAt < 0) {
						synchronized (interactive) {
							interactive.add(send(interactiveLane, http, chat, recorder, Priority.INTERACTIVE));
						}
					}
				}, 1_000_000_000L, periodNanos, TimeUnit.NANOSECONDS);
				boolean finished = await(batchDone, options.deadlineS);
				arrivals.shutdown();
				arrivals.awaitTermination(5, TimeUnit.SECONDS);
				CompletableFuture<?>[] rest;
				synchronized (interactive) {
					rest = interactive.toArray(CompletableFuture[]::new);
				}
				finished &= await(CompletableFuture.allOf(rest), options.deadlineS);
				long makespan = System.nanoTime() - start;
				PartitionSnapshot snapshot = engine.defaultPartition().snapshot();
				String leaks = (snapshot.inFlight() != 0 || snapshot.queued() != 0 || snapshot.repeatedReleases() != 0)
						? snapshot.toString() : "";
				return new Result(recorder, simulator.stats(), makespan, finished, leaks,
						definition.policy().minShare());
			}
			finally {
				arrivals.shutdownNow();
				senders.shutdownNow();
			}
		}
	}

	private static boolean await(CompletableFuture<?> future, int deadlineS) throws InterruptedException {
		try {
			future.get(deadlineS, TimeUnit.SECONDS);
			return true;
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return true; // failed calls are counted by the recorder
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return false;
		}
	}

	/** What a user would write under {@code llm.throttle.providers.sim}. */
	private static LlmThrottleProperties properties(SimulatedProvider simulator, Options options) {
		ProviderProperties provider = new ProviderProperties();
		provider.setBaseUrl(List.of(URI.create(simulator.baseUrl())));
		provider.setDialect(Dialect.OPENAI);
		provider.setMaxConcurrent(ConcurrencyAmount.valueOf(options.maxConcurrent));
		provider.setMaxWait(Duration.ofMinutes(30));
		provider.setMaxQueue(100_000);
		if (options.minShare != null) {
			provider.setMinShare(options.minShare);
		}
		ProviderProperties.LimitProperties requests = new ProviderProperties.LimitProperties();
		requests.setDimension("requests");
		requests.setAmount((long) options.requests);
		requests.setPeriod(Duration.ofSeconds(options.periodS));
		provider.getLimits().add(requests);
		LlmThrottleProperties properties = new LlmThrottleProperties();
		properties.getProviders().put(PROVIDER, provider);
		return properties;
	}

	private static CompletableFuture<Integer> send(LlmThrottler lane, HttpClient http, URI chat, Recorder recorder,
			Priority priority) {
		long submitted = System.nanoTime();
		AtomicInteger attempts = new AtomicInteger();
		HttpRequest request = HttpRequest.newBuilder(chat)
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + KEY)
			.POST(HttpRequest.BodyPublishers.ofString(
					"{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
			.build();
		return lane.callAsync(null, Cost.oneRequest(), () -> {
			if (attempts.getAndIncrement() == 0) {
				recorder.admitted(priority, submitted, System.nanoTime());
			}
			return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply((response) -> {
				if (response.statusCode() != 200) {
					throw new StatusException(response);
				}
				return response.statusCode();
			});
		}).whenComplete((status, error) -> recorder.finished(priority, error == null));
	}

	private static Reply reply(Throwable error) {
		Throwable cause = (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
		if (cause instanceof StatusException status) {
			return new Reply(status.response.statusCode(), ProtocolHeaders.of(status.response.headers().map()),
					status.response.body());
		}
		return null;
	}

	private static void print(Options options, Cell cell, Result result) {
		List<long[]> admissions = result.recorder.admissions();
		List<Long> waits = new ArrayList<>();
		long firstInteractive = Long.MAX_VALUE;
		long lastInteractive = Long.MIN_VALUE;
		for (long[] admission : admissions) {
			if (admission[0] == Priority.INTERACTIVE.ordinal()) {
				waits.add(admission[2] - admission[1]);
				firstInteractive = Math.min(firstInteractive, admission[1]);
				lastInteractive = Math.max(lastInteractive, admission[2]);
			}
		}
		waits.sort(null);
		// the batch's share of the admissions while interactive calls were arriving and
		// the batch still waited
		long batchInWindow = 0;
		long allInWindow = 0;
		long lastBatch = admissions.stream()
			.filter((a) -> a[0] == Priority.BATCH.ordinal())
			.mapToLong((a) -> a[2])
			.max()
			.orElse(0);
		long windowEnd = Math.min(lastInteractive, lastBatch);
		for (long[] admission : admissions) {
			if (admission[2] >= firstInteractive && admission[2] <= windowEnd) {
				allInWindow++;
				if (admission[0] == Priority.BATCH.ordinal()) {
					batchInWindow++;
				}
			}
		}
		double share = (allInWindow > 0) ? (double) batchInWindow / allInWindow : Double.NaN;
		double pacingMs = 1000.0 * options.periodS / options.requests;
		double p50 = percentileMs(waits, 0.50);
		double p90 = percentileMs(waits, 0.90);
		double p99 = percentileMs(waits, 0.99);
		long overPacing = waits.stream().filter((wait) -> wait / 1e6 >= pacingMs).count();
		double max = waits.isEmpty() ? Double.NaN : waits.get(waits.size() - 1) / 1e6;
		int total = admissions.size();
		double lowerBoundS = (double) total * options.periodS / options.requests;
		System.out.println(String.format(Locale.ROOT,
				"PRIORITY cell=%s model=%s requests=%d period_s=%d latency_ms=%d max_concurrent=%d calls=%d "
						+ "interactive_per_s=%.1f interactive=%d interactive_p50_ms=%.1f interactive_p90_ms=%.1f "
						+ "interactive_p99_ms=%.1f interactive_max_ms=%.1f interactive_over_pacing=%d pacing_ms=%.1f "
						+ "batch_share=%.3f batch_in_window=%d window_admissions=%d min_share=%.2f "
						+ "too_many=%d failed=%d makespan_s=%.1f lower_bound_s=%.1f finished=%s leaks=%s",
				cell.name, options.model, options.requests, options.periodS, options.latencyMs, options.maxConcurrent,
				options.calls, cell.interactivePerS, waits.size(), p50, p90, p99, max, overPacing, pacingMs, share,
				batchInWindow, allInWindow, result.minShare, result.stats.tooManyRequests(), result.recorder.failed(),
				result.makespan / 1e9, lowerBoundS, result.finished,
				result.leaks.isEmpty() ? "none" : result.leaks.replace(' ', '_')));
		if (cell.name.equals("steady")) {
			target(cell, "interactive p99 admission wait", "< " + fmt(pacingMs) + " ms", fmt(p99) + " ms",
					p99 < pacingMs);
		}
		target(cell, "batch share of admissions", ">= " + fmt(result.minShare),
				String.format(Locale.ROOT, "%.3f", share), share >= result.minShare);
		target(cell, "429s", "0", Long.toString(result.stats.tooManyRequests()), result.stats.tooManyRequests() == 0);
	}

	private static void target(Cell cell, String check, String target, String measured, boolean met) {
		System.out.println("PRIORITY_TARGET cell=" + cell.name + " check=" + check.replace(' ', '_') + " target="
				+ target.replace(' ', '_') + " measured=" + measured.replace(' ', '_') + " verdict="
				+ (met ? "met" : "MISSED"));
	}

	private static String fmt(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	private static double percentileMs(List<Long> sorted, double q) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(q * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
	}

	private record Result(Recorder recorder, ProviderStats stats, long makespan, boolean finished, String leaks,
			double minShare) {
	}

	/** Every admission: lane, submitted, admitted (nanoTime); and failures. */
	private static final class Recorder {

		private final List<long[]> admissions = new ArrayList<>();

		private final AtomicInteger failed = new AtomicInteger();

		synchronized void admitted(Priority priority, long submitted, long admitted) {
			this.admissions.add(new long[] { priority.ordinal(), submitted, admitted });
		}

		void finished(Priority priority, boolean ok) {
			if (!ok) {
				this.failed.incrementAndGet();
			}
		}

		synchronized List<long[]> admissions() {
			return new ArrayList<>(this.admissions);
		}

		int failed() {
			return this.failed.get();
		}

	}

	/** A non-200 answer, carried to the failure reader so that a 429 is learnt from. */
	private static final class StatusException extends RuntimeException {

		private final transient HttpResponse<String> response;

		StatusException(HttpResponse<String> response) {
			super("HTTP " + response.statusCode(), null, false, false);
			this.response = response;
		}

	}

	private static final class Options {

		int calls = 1000;

		int requests = 200;

		int periodS = 10;

		int latencyMs = 200;

		int maxConcurrent = 16;

		double interactivePerS = 1;

		int floodS = 20;

		Double minShare;

		String model = "sliding-window";

		long seed = 1;

		int deadlineS = 600;

		List<String> cells = List.of("steady", "flood");

		static Options parse(String[] args) {
			Map<String, String> flags = new HashMap<>();
			for (String arg : args) {
				if (!arg.startsWith("--") || !arg.contains("=")) {
					throw new IllegalArgumentException("expected --name=value but got " + arg);
				}
				flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
			Options options = new Options();
			options.calls = Integer.parseInt(flags.getOrDefault("calls", "" + options.calls));
			options.requests = Integer.parseInt(flags.getOrDefault("requests", "" + options.requests));
			options.periodS = Integer.parseInt(flags.getOrDefault("period-s", "" + options.periodS));
			options.latencyMs = Integer.parseInt(flags.getOrDefault("latency-ms", "" + options.latencyMs));
			options.maxConcurrent = Integer.parseInt(flags.getOrDefault("max-concurrent", "" + options.maxConcurrent));
			options.interactivePerS = Double
				.parseDouble(flags.getOrDefault("interactive-per-s", "" + options.interactivePerS));
			options.floodS = Integer.parseInt(flags.getOrDefault("flood-s", "" + options.floodS));
			options.minShare = flags.containsKey("min-share") ? Double.valueOf(flags.get("min-share")) : null;
			options.model = flags.getOrDefault("model", options.model);
			options.seed = Long.parseLong(flags.getOrDefault("seed", "" + options.seed));
			options.deadlineS = Integer.parseInt(flags.getOrDefault("deadline-s", "" + options.deadlineS));
			if (flags.containsKey("cells")) {
				options.cells = List.of(flags.get("cells").split(","));
			}
			flags.keySet()
				.removeAll(List.of("calls", "requests", "period-s", "latency-ms", "max-concurrent", "interactive-per-s",
						"flood-s", "min-share", "model", "seed", "deadline-s", "cells"));
			if (!flags.isEmpty()) {
				throw new IllegalArgumentException("unknown flags: " + flags.keySet());
			}
			return options;
		}

	}

}
