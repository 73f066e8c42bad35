package dev.llmthrottle.core.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The failure policy with no Redis at all (nothing listens on the port): refused at once,
 * or admitted against this instance's share, every decision reported. Needs no Redis.
 */
class RedisFailurePolicyTest {

	private final AtomicLong reported = new AtomicLong();

	private final ThrottleListener listener = new ThrottleListener() {
		@Override
		public void backendDegraded(String provider, String reason) {
			RedisFailurePolicyTest.this.reported.incrementAndGet();
		}
	};

	@Test
	void failClosedRefusesAtOnce() throws Exception {
		RedisBackendSettings settings = RedisBackendSettings.defaults().withOnFailure(FailurePolicy.FAIL_CLOSED);
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 0, Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)));
		try (RedisInstances.Instance instance = new RedisInstances.Instance(nobodyListening(), settings, policy,
				this.listener)) {
			for (int i = 0; i < 3; i++) {
				long start = System.nanoTime();
				assertThatExceptionOfType(BackendUnavailableException.class)
					.isThrownBy(() -> instance.throttler.acquire(null, Cost.oneRequest()))
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo("backend-unavailable"))
					.withMessageContaining("'sim'");
				// the first attempt also loads and starts the client (seconds on a cold
				// JVM); then the breaker is open
				long bound = (i == 0) ? Duration.ofSeconds(10).toNanos() : settings.commandTimeout().toNanos();
				assertThat(System.nanoTime() - start).isLessThan(bound);
			}
			assertThat(instance.states().degraded()).isTrue();
			assertThat(this.reported.get()).isEqualTo(3);
		}
	}

	@Test
	void failOpenLocalAdmitsThisInstancesShare() throws Exception {
		RedisBackendSettings settings = RedisBackendSettings.defaults().withExpectedInstances(2);
		ThrottlePolicy policy = ThrottlePolicy.of("sim", 0, Limit.of(Dimension.REQUESTS, 8, Duration.ofMinutes(1)))
			.withBurst(Duration.ofMinutes(1))
			.withMaxWait(Duration.ofSeconds(10));
		try (RedisInstances.Instance instance = new RedisInstances.Instance(nobodyListening(), settings, policy,
				this.listener)) {
			List<Permit> permits = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				permits.add(instance.throttler.acquire(null, Cost.oneRequest()));
			}
			// half of 8 per minute is 4: the fifth waits
			java.util.concurrent.CompletableFuture<Permit> fifth = instance.throttler.acquireAsync(null,
					Cost.oneRequest());
			org.awaitility.Awaitility.await()
				.during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(1))
				.until(() -> !fifth.isDone());
			fifth.cancel(false);
			permits.forEach((permit) -> permit.release(null));
			assertThat(this.reported.get()).isEqualTo(4);
			assertThat(instance.states().degradedDecisions()).isEqualTo(4);
		}
	}

	@Test
	void keysNeverCarryRawKeyMaterial() {
		RedisKeys hashed = RedisKeys.of("p", "openai", "k0123456789abcdef01234567");
		assertThat(hashed.state()).isEqualTo("p:{openai:k0123456789abcdef01234567}:s");
		RedisKeys raw = RedisKeys.of("p", "open ai{x}", "sk-live-SECRET");
		assertThat(raw.state()).doesNotContain("SECRET")
			.doesNotContain("open ai")
			.matches("p:\\{p[0-9a-f]{24}:x[0-9a-f]{24}\\}:s");
		assertThat(RedisKeys.of("p", "openai", "default").leases()).isEqualTo("p:{openai:default}:l");
	}

	private static String nobodyListening() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return "redis://127.0.0.1:" + socket.getLocalPort();
		}
	}

}
