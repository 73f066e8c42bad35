package dev.llmthrottle.bench.adaptive.enforcement;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.web.LlmThrottleClientHttpRequestInterceptor;
import dev.llmthrottle.bench.adaptive.enforcement.EnforcementRun.Cell;
import dev.llmthrottle.bench.adaptive.enforcement.EnforcementRun.Quota;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.TokenEstimator;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.LatencyModel;
import dev.llmthrottle.test.stats.ProviderStats;

/**
 * Runs one {@link Cell}: the simulated provider with the cell's model, request limits,
 * fixed latency and arrival jitter; llm-throttle configured as a user would
 * ({@code llm.throttle.providers.sim.limits[i]} with the provider's figures,
 * {@code enforcement} as declared, {@code max-concurrent}) behind a {@code RestClient}
 * interceptor; one caller thread per allowed concurrent call taking the batch in order.
 * Measures the provider's 429s, the makespan, the model's floor and the lower bound, and
 * samples the partition's guard every 50 ms.
 */
final class CellDriver {

	private static final String PROVIDER = "sim";

	private static final Duration DEADLINE = Duration.ofMinutes(5);

	private final Cell cell;

	private final long seed;

	private final int latencyMs;

	CellDriver(Cell cell, long seed, int latencyMs) {
		this.cell = cell;
		this.seed = seed;
		this.latencyMs = latencyMs;
	}

	Result run() throws InterruptedException {
		SimulatedProvider.Builder builder = SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.model(this.cell.model())
			.latency(LatencyModel.fixed(Duration.ofMillis(this.latencyMs))
				.withArrivalJitter(Duration.ofMillis(this.cell.arrivalJitterMs())))
			.seed(this.seed);
		for (Quota quota : this.cell.quotas()) {
			builder.limit("requests", quota.amount(), Duration.ofMillis(quota.periodMs()));
		}
		try (SimulatedProvider simulator = builder.start(); SystemTimeSource time = new SystemTimeSource()) {
			ProviderThrottler throttler = throttler(simulator.baseUrl(), time);
			RestClient rest = client(simulator.baseUrl(), throttler, time);
			AtomicLong maxGuard = new AtomicLong(guard(throttler));
			AtomicInteger ok = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			AtomicInteger next = new AtomicInteger();
			AtomicLong lastEnd = new AtomicLong();
			long begin = System.nanoTime();
			long stopAt = begin + DEADLINE.toNanos();
			ExecutorService pool = Executors.newFixedThreadPool(this.cell.concurrency() + 1);
			pool.execute(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					maxGuard.accumulateAndGet(guard(throttler), Math::max);
					try {
						Thread.sleep(50);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
			});
			for (int t = 0; t < this.cell.concurrency(); t++) {
				pool.execute(() -> {
					for (int i = next.getAndIncrement(); i < this.cell.calls()
							&& System.nanoTime() < stopAt; i = next.getAndIncrement()) {
						if (send(rest, simulator.chatUri(), i)) {
							ok.incrementAndGet();
						}
						else {
							failed.incrementAndGet();
						}
						lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
					}
				});
			}
			while (ok.get() + failed.get() < this.cell.calls() && System.nanoTime() < stopAt) {
				Thread.sleep(20);
			}
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
			ProviderStats stats = simulator.stats();
			double makespan = (lastEnd.get() - begin) / 1e9;
			return new Result(this.cell, ok.get(), failed.get(), stats.tooManyRequests(), makespan, floor(),
					lowerBound(), maxGuard.get(), guard(throttler));
		}
	}

	/** The widest guard of any partition (calls with a key go to its partition). */
	private static long guard(ProviderThrottler throttler) {
		long widest = throttler.defaultPartition().snapshot().guardPpm();
		for (Partition partition : throttler.partitions()) {
			widest = Math.max(widest, partition.snapshot().guardPpm());
		}
		return widest;
	}

	private boolean send(RestClient rest, URI chat, int i) {
		String body = "{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":16,"
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"enforcement call " + i + "\"}]}";
		try {
			int status = rest.post()
				.uri(chat)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Authorization", "Bearer sk-bench-not-a-key")
				.body(body)
				.exchange((request, response) -> response.getStatusCode().value());
			return status == 200;
		}
		catch (ThrottleRejectedException | LlmProviderException | RestClientException ex) {
			return false;
		}
	}

	private ProviderThrottler throttler(String baseUrl, SystemTimeSource time) {
		ProviderDefinition definition = new ThrottlePolicyFactory().definitions(properties(baseUrl)).get(PROVIDER);
		return new ProviderThrottler(definition.policy(), time,
				new ThrottlePolicyFactory().partitionKeys(properties(baseUrl)), ThrottleListener.NONE);
	}

	private RestClient client(String baseUrl, ProviderThrottler throttler, SystemTimeSource time) {
		ProviderDefinition definition = new ThrottlePolicyFactory().definitions(properties(baseUrl)).get(PROVIDER);
		LlmProvider provider = new LlmProvider(PROVIDER, definition.dialect(), definition.baseUrls(),
				definition.retry(), definition.defaultOutputTokens(), throttler);
		LlmThrottleClientHttpRequestInterceptor interceptor = new LlmThrottleClientHttpRequestInterceptor(
				new LlmProviders(List.of(provider)),
				new ResponseFeedback(Clock.systemUTC(), new Random(this.seed), ThrottleListener.NONE),
				new CostEstimator(new JtokkitTokenCounter(), TokenEstimator.DEFAULT_SAFETY_FACTOR),
				new CurrentAdmission(), time);
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		return RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory(http))
			.requestInterceptor(interceptor)
			.build();
	}

	/** What a user would write under {@code llm.throttle.providers.sim}. */
	private LlmThrottleProperties properties(String baseUrl) {
		ProviderProperties provider = new ProviderProperties();
		provider.setBaseUrl(List.of(URI.create(baseUrl)));
		provider.setDialect(Dialect.OPENAI);
		provider.setMaxConcurrent(this.cell.concurrency());
		provider.setMaxWait(DEADLINE);
		if (this.cell.declared() != dev.llmthrottle.core.Enforcement.PACED) {
			provider.setEnforcement(this.cell.declared().id());
		}
		for (Quota quota : this.cell.quotas()) {
			ProviderProperties.LimitProperties limit = new ProviderProperties.LimitProperties();
			limit.setDimension("requests");
			limit.setAmount(quota.amount());
			limit.setPeriod(Duration.ofMillis(quota.periodMs()));
			provider.getLimits().add(limit);
		}
		LlmThrottleProperties properties = new LlmThrottleProperties();
		properties.getProviders().put(PROVIDER, provider);
		return properties;
	}

	/**
	 * The model's true floor with the initial burst counted: every call sent the earliest
	 * instant the model admits it (best alignment for a fixed or quantized window), plus
	 * one latency.
	 */
	double floor() {
		int n = this.cell.calls();
		double[] t = new double[n];
		for (int k = 0; k < n; k++) {
			double at = (k > 0) ? t[k - 1] : 0;
			for (Quota quota : this.cell.quotas()) {
				long a = quota.amount();
				double p = quota.periodMs() / 1000.0;
				at = Math.max(at, switch (this.cell.model()) {
					case SLIDING_WINDOW, FIXED_WINDOW -> (k >= a) ? t[(int) (k - a)] + p : 0;
					case TOKEN_BUCKET -> Math.max(0, (k - a + 1) * p / a);
					case QUANTIZED -> {
						long perSecond = Math.max(1, a * 1000 / quota.periodMs());
						yield Math.floor((double) k / perSecond);
					}
				});
			}
			t[k] = at;
		}
		return t[n - 1] + this.latencyMs / 1000.0;
	}

	/**
	 * The design's lower bound (no credit for an initial burst): the calls at each
	 * limit's steady rate, or the summed latency over the concurrency.
	 */
	double lowerBound() {
		double bound = (double) this.cell.calls() * this.latencyMs / 1000.0 / this.cell.concurrency();
		for (Quota quota : this.cell.quotas()) {
			bound = Math.max(bound, (double) this.cell.calls() / quota.amount() * quota.periodMs() / 1000.0);
		}
		return bound;
	}

	/**
	 * A cell's figures.
	 *
	 * @param cell the cell
	 * @param ok calls answered 200
	 * @param failed calls that failed (after the engine's retries)
	 * @param http429 the provider's 429 answers
	 * @param makespan seconds from the first call to the last answer
	 * @param floor the model's true floor (initial burst counted)
	 * @param lowerBound the design's lower bound (no burst credit)
	 * @param maxGuardPpm the widest guard sampled
	 * @param endGuardPpm the guard at the end
	 */
	record Result(Cell cell, int ok, int failed, long http429, double makespan, double floor, double lowerBound,
			long maxGuardPpm, long endGuardPpm) {

		String line() {
			double efficiency = this.lowerBound / this.makespan;
			double vsFloor = this.makespan / this.floor;
			boolean met = switch (this.cell.target()) {
				case FLOOR -> this.http429 == 0 && vsFloor <= 1.05 && this.ok == this.cell.calls();
				case PACED -> this.http429 == 0 && efficiency >= 0.97 && this.ok == this.cell.calls();
				case JITTER ->
					this.http429 < 0.01 * this.cell.calls() && efficiency >= 0.95 && this.ok == this.cell.calls();
				case NONE -> true;
			};
			String limits = String.join(",",
					this.cell.quotas()
						.stream()
						.map((q) -> "requests:" + q.amount() + "/" + (q.periodMs() / 1000) + "s")
						.toList());
			return String.format(Locale.ROOT,
					"ENFORCEMENT cell=%s model=%s declared=%s limits=%s jitter_ms=%d calls=%d threads=%d ok=%d "
							+ "failed=%d http429=%d makespan_s=%.2f floor_s=%.2f vs_floor=%.3f lower_bound_s=%.2f "
							+ "efficiency=%.3f max_guard_pct=%.2f end_guard_pct=%.2f target=%s met=%s",
					this.cell.name(), this.cell.model().key(), this.cell.declared().id(), limits,
					this.cell.arrivalJitterMs(), this.cell.calls(), this.cell.concurrency(), this.ok, this.failed,
					this.http429, this.makespan, this.floor, vsFloor, this.lowerBound, efficiency,
					this.maxGuardPpm / 10_000.0, this.endGuardPpm / 10_000.0,
					this.cell.target().name().toLowerCase(Locale.ROOT),
					(this.cell.target() == EnforcementRun.Target.NONE) ? "n/a" : (met ? "yes" : "no"));
		}

	}

}
