package dev.llmthrottle.bench.accuracy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.stats.LimitStats;
import dev.llmthrottle.test.stats.ProviderStats;

/**
 * Runs one cell: starts the simulated provider on loopback, lets {@code threads} caller
 * threads take the batch's calls in order and send each through the client, stops at the
 * deadline whatever happens, and reads the provider's evidence. The admission wait of a
 * call is the time from a caller taking it to its response, less the provider's fixed
 * latency: queueing, throttling, back-off and failed attempts all count.
 */
final class CellRunner {

	private static final int OK = 1;

	private static final int FAILED = 2;

	private final ClientOptions options;

	private final int threads;

	private final Duration latency;

	private final Duration deadline;

	/** One caller thread per allowed concurrent call. */
	CellRunner(ClientOptions options, Duration latency, Duration deadline) {
		this.options = options;
		this.threads = options.maxConcurrent();
		this.latency = latency;
		this.deadline = deadline;
	}

	CellResult run(Scenario scenario, List<Call> batch) throws InterruptedException {
		Quota quota = scenario.provider();
		Faults faults = (scenario.neighbourShare() > 0) ? Faults.none().noisyNeighbour(scenario.neighbourShare())
				: Faults.none();
		if (scenario.client() == ClientKind.LLM_THROTTLE_HEADERLESS) {
			faults = faults.missingHeaders(1.0);
		}
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(Dialect.OPENAI)
			.model(scenario.model())
			.limit("requests", quota.requests(), quota.period())
			.limit("tokens", quota.tokens(), quota.period())
			.latency(this.latency)
			.faults(faults)
			.seed(this.options.seed())
			.start(); BatchClient client = scenario.createClient(simulator, this.options)) {
			Run run = drive(client, batch);
			ProviderStats stats = simulator.stats();
			String name = scenario.client().id() + "/" + scenario.model().key();
			run.failures.forEach(
					(reason, count) -> System.out.println("NOTE " + name + " failed calls: " + count + " x " + reason));
			if (run.firstError.get() != null) {
				System.err.println("WARN " + name + ": unexpected error in a call: " + run.firstError.get());
			}
			if (client instanceof LlmThrottleClient ours && run.unfinished() == 0 && !ours.leaks().isEmpty()) {
				System.err.println("WARN " + name + ": engine books after the batch: " + ours.leaks());
			}
			return result(scenario, batch.size(), run, stats);
		}
	}

	private Run drive(BatchClient client, List<Call> batch) throws InterruptedException {
		Run run = new Run(batch.size());
		AtomicInteger next = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(this.threads, (task) -> {
			Thread thread = new Thread(task, "bench-caller");
			thread.setDaemon(true);
			return thread;
		});
		long stopAt = run.begin + this.deadline.toNanos();
		for (int t = 0; t < this.threads; t++) {
			pool.execute(() -> {
				for (int i = next.getAndIncrement(); i < batch.size()
						&& System.nanoTime() < stopAt; i = next.getAndIncrement()) {
					run.starts.set(i, System.nanoTime());
					Outcome outcome;
					try {
						outcome = client.send(batch.get(i));
					}
					catch (InterruptedException ex) {
						return;
					}
					catch (RuntimeException ex) {
						run.firstError.compareAndSet(null, ex);
						outcome = Outcome.failed(ex);
					}
					run.ends.set(i, System.nanoTime());
					run.states.set(i, outcome.ok() ? OK : FAILED);
					if (!outcome.ok()) {
						run.failures.computeIfAbsent(groupable(outcome.failure()), (reason) -> new LongAdder())
							.increment();
					}
				}
			});
		}
		pool.shutdown();
		if (!pool.awaitTermination(stopAt - System.nanoTime(), TimeUnit.NANOSECONDS)) {
			pool.shutdownNow();
			run.stopped = System.nanoTime();
			pool.awaitTermination(5, TimeUnit.SECONDS);
		}
		return run;
	}

	private CellResult result(Scenario scenario, int calls, Run run, ProviderStats stats) {
		long ok = 0;
		long failed = 0;
		long lastEnd = run.begin;
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			int state = run.states.get(i);
			if (state == 0) {
				continue;
			}
			lastEnd = Math.max(lastEnd, run.ends.get(i));
			if (state == OK) {
				ok++;
				waits.add(Math.max(0, run.ends.get(i) - run.starts.get(i) - this.latency.toNanos()));
			}
			else {
				failed++;
			}
		}
		long unfinished = calls - ok - failed;
		double makespan = ((unfinished > 0 && run.stopped != 0) ? run.stopped : lastEnd) - run.begin;
		double overAdmission = 0;
		double peakSecond = 0;
		List<LowerBound.Spent> spent = new ArrayList<>();
		for (LimitStats limit : stats.limits()) {
			long amount = limit.limit().amount();
			overAdmission = Math.max(overAdmission, (double) limit.maxInWindow() / amount);
			if (limit.limit().dimension().key().equals("requests")) {
				peakSecond = limit.maxInAnySecond() / (amount * 1e9 / limit.limit().period().toNanos());
			}
			spent.add(new LowerBound.Spent(amount, limit.limit().period(), limit.total()));
		}
		double lowerBound = LowerBound.seconds(spent, scenario.neighbourShare(), this.latency.multipliedBy(ok),
				this.threads);
		long[] sorted = waits.stream().mapToLong(Long::longValue).sorted().toArray();
		return new CellResult(scenario.client().id(), scenario.model().key(), calls, ok, failed, unfinished,
				stats.tooManyRequests(), overAdmission, peakSecond, makespan / 1e9, lowerBound,
				percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6);
	}

	/**
	 * A failure reason with its varying figures (durations, amounts used) masked, so that
	 * like failures group.
	 */
	static String groupable(String failure) {
		return failure.replaceAll("\\d+(\\.\\d+)?(ms|s|m)\\b", "#$2").replaceAll("(Used|Requested) \\d+", "$1 #");
	}

	/** Nearest-rank percentile of sorted values, 0 when there are none. */
	static long percentile(long[] sorted, int percent) {
		if (sorted.length == 0) {
			return 0;
		}
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
	}

	/** What the callers recorded, per call index. */
	private static final class Run {

		final long begin = System.nanoTime();

		final AtomicLongArray starts;

		final AtomicLongArray ends;

		final AtomicIntegerArray states;

		final AtomicReference<Throwable> firstError = new AtomicReference<>();

		final Map<String, LongAdder> failures = new ConcurrentSkipListMap<>();

		volatile long stopped;

		Run(int calls) {
			this.starts = new AtomicLongArray(calls);
			this.ends = new AtomicLongArray(calls);
			this.states = new AtomicIntegerArray(calls);
		}

		long unfinished() {
			long done = 0;
			for (int i = 0; i < this.states.length(); i++) {
				done += (this.states.get(i) != 0) ? 1 : 0;
			}
			return this.states.length() - done;
		}

	}

}
