package dev.llmthrottle.test.engine;

import static dev.llmthrottle.test.engine.EnforcerFixture.MS;
import static dev.llmthrottle.test.engine.EnforcerFixture.S;
import static dev.llmthrottle.test.engine.EnforcerFixture.request;
import static dev.llmthrottle.test.engine.EnforcerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedWindowTest {

	private static EnforcerFixture fixture(long seed, String limit) {
		return new EnforcerFixture(
				EnforcerSettings.of(EnforcementModel.FIXED_WINDOW, Limit.parse(limit)).withSeed(seed));
	}

	/**
	 * The first window boundary after the epoch: the seeded offset, revealed by the reset
	 * header.
	 */
	private static long boundary(EnforcerFixture f) {
		f.admitted(request());
		return f.state(Dimension.REQUESTS).resetNanos();
	}

	@Test
	void windowsStartAtTheSeededOffset() {
		long expected = new SplittableRandom(42).nextLong(10 * S);
		assertThat(boundary(fixture(42, "requests:3/10s"))).isEqualTo(expected);
		assertThat(boundary(fixture(43, "requests:3/10s"))).isNotEqualTo(expected);
	}

	@Test
	void counterResetsOnTheBoundary() {
		EnforcerFixture f = fixture(42, "requests:3/10s");
		long b = boundary(f);
		f.burst(2, request());
		assertThat(f.throttledWait(request())).isEqualTo(b);
		f.at(b - 1);
		assertThat(f.throttledWait(request())).isEqualTo(1);
		f.at(b);
		f.burst(3, request());
		assertThat(f.throttledWait(request())).isEqualTo(10 * S);
		assertThat(f.state(Dimension.REQUESTS).resetNanos()).isEqualTo(10 * S);
	}

	@Test
	void admitsTwiceTheLimitAcrossABoundary() {
		EnforcerFixture f = fixture(7, "requests:5/10s");
		long b = boundary(f) + 10 * S;
		f.at(b - 100 * MS);
		f.burst(5, request());
		f.at(b + 100 * MS);
		f.burst(5, request());
		assertThat(f.throttledWait(request())).isEqualTo(9900 * MS);
	}

	@Test
	void settlementOnlyTouchesTheCurrentWindow() {
		EnforcerFixture f = new EnforcerFixture(EnforcerSettings
			.of(EnforcementModel.FIXED_WINDOW, Limit.parse("requests:100/10s"), Limit.parse("tokens:100/10s"))
			.withSeed(42));
		Ticket t = f.admitted(tokens(80));
		long b = f.state(Dimension.TOKENS).resetNanos();
		f.enforcer.settle(t, tokens(30));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(70);
		f.at(b);
		f.enforcer.settle(t, tokens(100));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(100);
	}

}
