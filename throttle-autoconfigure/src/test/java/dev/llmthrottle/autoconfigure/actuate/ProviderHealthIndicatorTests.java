package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.actuate.endpoint.SimpleHttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.SimpleStatusAggregator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class ProviderHealthIndicatorTests {

	private final EndpointFixture fixture = new EndpointFixture();

	private final ProviderHealthIndicator openai = new ProviderHealthIndicator(this.fixture.openai,
			this.fixture.statistics, Duration.ofSeconds(30), this.fixture.clock);

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void isUpWithLoadDetails() throws Exception {
		this.fixture.openai.acquire(null, Cost.oneRequest());
		this.fixture.openai.acquire(EndpointFixture.CANARY, Cost.oneRequest());
		Health health = this.openai.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("inFlight", 2)
			.containsEntry("queued", 0)
			.containsEntry("partitions", 2)
			.doesNotContainKey("cooldownRemaining");
	}

	@Test
	void staysUpInAShortCooldownAndShowsIt() {
		this.fixture.openai.partition(EndpointFixture.CANARY).coolDown(Duration.ofSeconds(10), "HTTP 429 (requests)");
		Health health = this.openai.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("cooldownPartitions", 1)
			.containsEntry("cooldownRemaining", "10s")
			.containsEntry("cooldownUntil", "2026-03-01T12:00:10Z")
			.containsEntry("cooldownReason", "HTTP 429 (requests)");
	}

	@Test
	void reportsALongCooldownUntilItEnds() {
		this.fixture.openai.partition(EndpointFixture.CANARY).coolDown(Duration.ofSeconds(45), "HTTP 429 (tokens)");
		assertThat(this.openai.health().getStatus()).isEqualTo(ProviderHealthIndicator.COOLDOWN);
		this.fixture.time.advance(Duration.ofSeconds(16));
		assertThat(this.openai.health().getStatus()).isEqualTo(Status.UP);
		this.fixture.time.advance(Duration.ofSeconds(30));
		assertThat(this.openai.health().getDetails()).doesNotContainKey("cooldownRemaining");
	}

	@Test
	void reportsAnExhaustedQuotaUntilACallOnThatPartitionSucceeds() throws Exception {
		String key = this.fixture.openai.partition(EndpointFixture.CANARY).key();
		this.fixture.listener.quotaExhausted("openai", key,
				"insufficient_quota: You exceeded your current quota (key " + EndpointFixture.CANARY + ")");
		Health health = this.openai.health();
		assertThat(health.getStatus()).isEqualTo(ProviderHealthIndicator.QUOTA_EXHAUSTED);
		assertThat(health.getDetails()).containsEntry("quotaExhaustedPartitions", 1)
			.containsEntry("quotaExhaustedAt", "2026-03-01T12:00:00Z");
		assertThat(health.toString()).doesNotContain("CANARY");
		this.fixture.openai.acquire(null, Cost.of(1, 1)).release(Cost.of(1, 1));
		assertThat(this.openai.health().getStatus()).isEqualTo(ProviderHealthIndicator.QUOTA_EXHAUSTED);
		Permit failed = this.fixture.openai.acquire(EndpointFixture.CANARY, Cost.of(1, 1));
		failed.release(null);
		assertThat(this.openai.health().getStatus()).isEqualTo(ProviderHealthIndicator.QUOTA_EXHAUSTED);
		this.fixture.openai.acquire(EndpointFixture.CANARY, Cost.of(1, 1)).release(Cost.of(1, 1));
		assertThat(this.openai.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void showsTheLastBackendFailure() {
		this.fixture.listener.backendDegraded("openai", "redis: connection refused");
		assertThat(this.openai.health().getDetails()).containsEntry("backendDegradedAt", "2026-03-01T12:00:00Z")
			.containsEntry("backendDegradedReason", "redis: connection refused");
	}

	@Test
	void neverTakesTheApplicationDownByDefault() {
		SimpleStatusAggregator aggregator = new SimpleStatusAggregator();
		assertThat(aggregator.getAggregateStatus(
				Set.of(Status.UP, ProviderHealthIndicator.COOLDOWN, ProviderHealthIndicator.QUOTA_EXHAUSTED)))
			.isEqualTo(Status.UP);
		assertThat(aggregator
			.getAggregateStatus(Set.of(ProviderHealthIndicator.COOLDOWN, ProviderHealthIndicator.QUOTA_EXHAUSTED)))
			.isEqualTo(Status.UNKNOWN);
		assertThat(aggregator.getAggregateStatus(Set.of(Status.UP, Status.UNKNOWN))).isEqualTo(Status.UP);
		SimpleHttpCodeStatusMapper http = new SimpleHttpCodeStatusMapper();
		assertThat(http.getStatusCode(ProviderHealthIndicator.COOLDOWN)).isEqualTo(200);
		assertThat(http.getStatusCode(ProviderHealthIndicator.QUOTA_EXHAUSTED)).isEqualTo(200);
		assertThat(http.getStatusCode(Status.UNKNOWN)).isEqualTo(200);
	}

}
