package dev.llmthrottle.core.redis;

import dev.llmthrottle.test.junit.RequiresRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.stats.LimitStats;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four instances (three in this JVM with their own Lettuce connections and time sources,
 * one in a second JVM) × 8 threads share one quota through Redis against a simulated
 * provider that enforces an exact sliding window. The provider's own books must show no
 * 429 and no window above the limit by more than one request of arrival jitter, at least
 * 95% of the limit must be used under excess demand, and the instances of this JVM
 * together never hold more permits than the concurrency cap. (The simulator's own
 * concurrency cap is not used: it counts a call until after its response is written, so a
 * client that releases on receipt races it whatever its limiter does.)
 */
@RequiresRedis
class MultiInstanceRedisTest {

	private static final int INSTANCES = 3;

	private static final int THREADS_PER_INSTANCE = 8;

	private static final long AMOUNT = 50;

	private static final Duration PERIOD = Duration.ofSeconds(5); // a 50 ms guard against
																	// arrival jitter

	private static final int MAX_CONCURRENT = 6;

	private static final Duration RUN = Duration.ofSeconds(12);

	static final String BODY = "{\"model\":\"gpt-4o\",\"max_tokens\":16,"
			+ "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

	private static final java.nio.file.Path SECOND_JVM_LOG = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
			"llm-throttle-second-jvm-" + ProcessHandle.current().pid() + ".log");

	/**
	 * The fourth instance: a JVM of its own on this test's class path (its own clock,
	 * connections, threads).
	 */
	private static Process startSecondJvm(String prefix, URI chat, long endMillis) throws java.io.IOException {
		String javaBinary = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(javaBinary, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				SecondJvmInstance.class.getName(), TestRedis.SHARED, prefix, chat.toString(), Long.toString(endMillis),
				Integer.toString(THREADS_PER_INSTANCE), Long.toString(AMOUNT), Long.toString(PERIOD.toMillis()),
				Integer.toString(MAX_CONCURRENT))
			.redirectErrorStream(true)
			.redirectOutput(SECOND_JVM_LOG.toFile())
			.start();
	}

	@Test
	void instancesShareOneQuotaWithNo429AndUseAtLeast95PercentOfIt() throws Exception {
		ThrottlePolicy policy = ThrottlePolicy.of("sim", MAX_CONCURRENT, Limit.of(Dimension.REQUESTS, AMOUNT, PERIOD))
			.withMaxWait(Duration.ofSeconds(30));
		RedisBackendSettings settings = RedisBackendSettings.defaults().withKeyPrefix(TestRedis.uniquePrefix());
		ExecutorService callers = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", AMOUNT, PERIOD)
			.latency(Duration.ofMillis(30))
			.seed(7)
			.start();
				RedisInstances instances = new RedisInstances(INSTANCES, TestRedis.SHARED, settings, policy,
						ThrottleListener.NONE)) {
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
			URI chat = simulator.chatUri();
			// open the client's connections first: the first exchanges take far longer
			// than any later one, and a
			// call that reaches the provider late can land in a window it was not
			// admitted to
			List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> warmUps = new ArrayList<>();
			for (int i = 0; i < MAX_CONCURRENT + 2; i++) {
				warmUps.add(http.sendAsync(HttpRequest.newBuilder(simulator.uri("/stats")).build(),
						HttpResponse.BodyHandlers.discarding()));
			}
			warmUps.forEach(java.util.concurrent.CompletableFuture::join);
			long endMillis = System.currentTimeMillis() + RUN.toMillis();
			Process second = startSecondJvm(settings.keyPrefix(), chat, endMillis);
			AtomicLong notOk = new AtomicLong();
			java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();
			java.util.concurrent.atomic.AtomicInteger mostHeld = new java.util.concurrent.atomic.AtomicInteger();
			long end = System.nanoTime() + (endMillis - System.currentTimeMillis()) * 1_000_000;
			List<Future<?>> loops = new ArrayList<>();
			for (RedisInstances.Instance instance : instances.all()) {
				for (int i = 0; i < THREADS_PER_INSTANCE; i++) {
					loops.add(callers.submit(() -> {
						while (true) {
							Permit permit = instance.throttler.acquire(null, Cost.oneRequest());
							if (System.nanoTime() - end > 0) {
								permit.abandon();
								return null;
							}
							mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
							try {
								HttpResponse<Void> response = http.send(HttpRequest.newBuilder(chat)
									.header("Content-Type", "application/json")
									.POST(HttpRequest.BodyPublishers.ofString(BODY))
									.build(), HttpResponse.BodyHandlers.discarding());
								if (response.statusCode() != 200) {
									notOk.incrementAndGet();
								}
							}
							finally {
								holding.decrementAndGet();
								permit.release(null);
							}
						}
					}));
				}
			}
			for (Future<?> loop : loops) {
				loop.get(RUN.toSeconds() + 30, TimeUnit.SECONDS);
			}
			assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("the second JVM ends").isTrue();
			String secondOutput = java.nio.file.Files.readString(SECOND_JVM_LOG);
			assertThat(second.exitValue()).as(secondOutput).isZero();
			// no share is promised to it: across instances, whoever reaches Redis first
			// after a slot opens wins it
			assertThat(secondOutput).containsPattern("admitted [0-9]+");

			ProviderStats stats = simulator.stats();
			LimitStats requests = stats.limits().get(0);
			double span = stats.activeSpan().orElseThrow().toNanos();
			double utilization = requests.total() / (AMOUNT * span / PERIOD.toNanos());
			System.out.printf("multi-instance run: %d instances x %d threads (one in a second JVM: %s), %s; "
					+ "admitted %d, 429s %d, max in any %s window %d (limit %d), max in flight at the provider %d, "
					+ "most permits held in this JVM %d (cap %d), utilization %.3f%n", INSTANCES + 1,
					THREADS_PER_INSTANCE, secondOutput.strip(), requests.limit(), stats.admitted(),
					stats.tooManyRequests(), PERIOD, requests.maxInWindow(), AMOUNT, stats.maxInFlight(),
					mostHeld.get(), MAX_CONCURRENT, utilization);
			assertThat(stats.tooManyRequests()).as("429s (%s)", stats.rejectedByReason()).isZero();
			assertThat(notOk.get()).isZero();
			assertThat(requests.maxInWindow()).as("most in any window").isLessThanOrEqualTo(AMOUNT + 1);
			assertThat(mostHeld.get()).as("permits held at once, all instances").isLessThanOrEqualTo(MAX_CONCURRENT);
			assertThat(utilization).as("share of the limit used").isGreaterThanOrEqualTo(0.95);
			for (RedisInstances.Instance instance : instances.all()) {
				assertThat(instance.states().degradedDecisions()).isZero();
			}
		}
		finally {
			callers.shutdownNow();
		}
	}

}
