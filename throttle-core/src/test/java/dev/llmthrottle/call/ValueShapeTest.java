package dev.llmthrottle.call;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ValueShape} settles a returned value to the usage an HTTP adapter reported to
 * the permit, else to the usage the value carries, else to the estimate; never twice, and
 * never failing the call because a reader broke.
 */
class ValueShapeTest {

	private static final Cost FROM_VALUE = Cost.of(42, 7);

	private static final Cost FROM_ADAPTER = Cost.of(900, 90);

	private final List<Cost> settled = new ArrayList<>();

	private final Partition partition = new ProviderThrottler(ThrottlePolicy.of("shape", 2), new VirtualTimeSource(),
			PartitionKeys.withRandomSecret(), new ThrottleListener() {
				@Override
				public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
					ValueShapeTest.this.settled.add(actual);
				}
			})
		.defaultPartition();

	private final ValueShape<String> shape = new ValueShape<>((error) -> null, (error) -> {
	}, (ex, waiting) -> ex, (value) -> "with usage".equals(value) ? FROM_VALUE : null);

	@Test
	void valueWithUsageSettlesToIt() {
		Permit permit = this.partition.tryAcquire(Cost.of(0, 100));
		assertThat(this.shape.deliver("with usage", Lease.owning(permit))).isEqualTo("with usage");
		assertThat(this.settled).containsExactly(FROM_VALUE);
	}

	@Test
	void valueWithoutUsageKeepsTheEstimate() {
		Permit permit = this.partition.tryAcquire(Cost.of(0, 100));
		this.shape.deliver("plain", Lease.owning(permit));
		assertThat(this.settled).containsExactly((Cost) null);
	}

	@Test
	void usageAnAdapterReportedWins() {
		Permit permit = this.partition.tryAcquire(Cost.of(0, 100));
		permit.reportActual(FROM_ADAPTER);
		this.shape.deliver("with usage", Lease.owning(permit));
		assertThat(this.settled).containsExactly(FROM_ADAPTER);
	}

	@Test
	void aReaderThatThrowsCostsTheTruthNotTheCall() {
		ValueShape<String> broken = new ValueShape<>((error) -> null, (error) -> {
		}, (ex, waiting) -> ex, (value) -> {
			throw new IllegalStateException("`prompt_tokens` is not set");
		});
		Permit permit = this.partition.tryAcquire(Cost.of(0, 100));
		assertThat(broken.deliver("with usage", Lease.owning(permit))).isEqualTo("with usage");
		assertThat(permit.isReleased()).isTrue();
		assertThat(this.settled).containsExactly((Cost) null);
	}

	@Test
	void underAnOuterPermitTheUsageIsReportedAndTheOwnerReleases() {
		Permit outer = this.partition.tryAcquire(Cost.of(0, 100));
		this.shape.deliver("with usage", Lease.under(outer));
		assertThat(outer.isReleased()).isFalse();
		assertThat(outer.reportedActual()).isEqualTo(FROM_VALUE);
		outer.release(null);
		assertThat(this.settled).containsExactly(FROM_VALUE);
	}

	@Test
	void underAnOuterPermitAnEarlierReportStands() {
		Permit outer = this.partition.tryAcquire(Cost.of(0, 100));
		outer.reportActual(FROM_ADAPTER);
		this.shape.deliver("with usage", Lease.under(outer));
		assertThat(outer.reportedActual()).isEqualTo(FROM_ADAPTER);
		outer.release(null);
		assertThat(this.settled).containsExactly(FROM_ADAPTER);
	}

}
