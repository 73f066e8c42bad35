package dev.llmthrottle.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.clock.ManualClock;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;

/**
 * Small helpers shared by the enforcement tests: a manual clock and terse admission
 * calls.
 */
final class EnforcerFixture {

	static final long MS = 1_000_000L;
	static final long S = 1_000_000_000L;

	final ManualClock clock = new ManualClock();

	final Enforcer enforcer;

	EnforcerFixture(EnforcerSettings settings) {
		this.enforcer = new Enforcer(settings, clock);
	}

	static EnforcerFixture of(EnforcementModel model, String... limits) {
		Limit[] parsed = new Limit[limits.length];
		for (int i = 0; i < limits.length; i++) {
			parsed[i] = Limit.parse(limits[i]);
		}
		return new EnforcerFixture(EnforcerSettings.of(model, parsed));
	}

	static Cost tokens(long tokens) {
		return new Cost(1, tokens, 0, 0);
	}

	static Cost request() {
		return new Cost(1, 0, 0, 0);
	}

	void at(long nanos) {
		long now = clock.nanoTime();
		assertThat(nanos).as("time only moves forward").isGreaterThanOrEqualTo(now);
		clock.advanceNanos(nanos - now);
	}

	Admission admit(Cost cost) {
		return enforcer.tryAdmit(cost, 0);
	}

	Ticket admitted(Cost cost) {
		Admission a = admit(cost);
		assertThat(a).as("admission at %d ns", clock.nanoTime()).isInstanceOf(Admission.Admitted.class);
		return ((Admission.Admitted) a).ticket();
	}

	long throttledWait(Cost cost) {
		Admission a = admit(cost);
		assertThat(a).as("refusal at %d ns", clock.nanoTime()).isInstanceOf(Admission.Throttled.class);
		return ((Admission.Throttled) a).waitNanos();
	}

	/** Admits {@code n} requests of the given cost now, asserting each is admitted. */
	void burst(int n, Cost cost) {
		for (int i = 0; i < n; i++) {
			admitted(cost);
		}
	}

	LimitState state(Dimension dimension) {
		return enforcer.snapshot()
			.limits()
			.stream()
			.filter(s -> s.limit().dimension() == dimension)
			.findFirst()
			.orElseThrow();
	}

}
