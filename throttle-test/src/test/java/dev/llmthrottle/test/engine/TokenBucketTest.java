package dev.llmthrottle.test.engine;

import static dev.llmthrottle.test.engine.EnforcerFixture.MS;
import static dev.llmthrottle.test.engine.EnforcerFixture.S;
import static dev.llmthrottle.test.engine.EnforcerFixture.request;
import static dev.llmthrottle.test.engine.EnforcerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

	@Test
	void burstsUpToCapacityThenRefillsContinuously() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "requests:10/10s");
		f.burst(10, request());
		assertThat(f.throttledWait(request())).isEqualTo(1 * S);
		f.at(500 * MS);
		assertThat(f.throttledWait(request())).isEqualTo(500 * MS);
		f.at(1 * S);
		f.admitted(request());
		assertThat(f.throttledWait(request())).isEqualTo(1 * S);
		f.at(3 * S + 999 * MS);
		f.burst(2, request());
		assertThat(f.throttledWait(request())).isEqualTo(1 * MS);
	}

	@Test
	void refillIsCappedAtCapacity() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "requests:10/10s");
		f.burst(10, request());
		f.at(100 * S);
		f.burst(10, request());
		assertThat(f.throttledWait(request())).isEqualTo(1 * S);
	}

	@Test
	void settlementRefundsAndChargesDebt() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "tokens:100/10s");
		Ticket t = f.admitted(tokens(60));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(40);
		f.enforcer.settle(t, tokens(20));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(80);
		f.enforcer.settle(t, tokens(100));
		assertThat(f.state(Dimension.TOKENS).remaining()).isZero();
		// 50 tokens at 10 tokens/s
		assertThat(f.throttledWait(tokens(50))).isEqualTo(5 * S);
	}

	@Test
	void refundNeverLiftsAboveCapacity() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "tokens:100/10s");
		Ticket t = f.admitted(tokens(60));
		f.at(10 * S);
		f.enforcer.settle(t, tokens(0));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(100);
		f.admitted(tokens(100));
		assertThat(f.throttledWait(tokens(1))).isEqualTo(100 * MS);
	}

	@Test
	void aDimensionInDebtRefusesEvenZeroCostUntilOneUnitIsBack() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "output-tokens:100/10s");
		Ticket t = f.admitted(request());
		f.enforcer.charge(t, Cost.output(120));
		// level -20: one unit needs 21 tokens of refill at 10/s
		assertThat(f.throttledWait(request())).isEqualTo(2100 * MS);
	}

	@Test
	void resetHeaderIsTimeUntilFull() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "requests:10/10s");
		assertThat(f.state(Dimension.REQUESTS).resetNanos()).isZero();
		f.burst(4, request());
		LimitState s = f.state(Dimension.REQUESTS);
		assertThat(s.remaining()).isEqualTo(6);
		assertThat(s.resetNanos()).isEqualTo(4 * S);
		f.at(1500 * MS);
		s = f.state(Dimension.REQUESTS);
		assertThat(s.remaining()).isEqualTo(7);
		assertThat(s.resetNanos()).isEqualTo(2500 * MS);
	}

	@Test
	void fractionalRatesStayExact() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "requests:3/1s");
		f.burst(3, request());
		// one token per 333,333,333.3 ns: the wait rounds up to the next whole nanosecond
		assertThat(f.throttledWait(request())).isEqualTo(333_333_334L);
		f.at(333_333_333L);
		assertThat(f.throttledWait(request())).isEqualTo(1);
		f.at(333_333_334L);
		f.admitted(request());
	}

}
