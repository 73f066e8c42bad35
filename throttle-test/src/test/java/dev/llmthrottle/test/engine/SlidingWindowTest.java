package dev.llmthrottle.test.engine;

import static dev.llmthrottle.test.engine.EnforcerFixture.MS;
import static dev.llmthrottle.test.engine.EnforcerFixture.S;
import static dev.llmthrottle.test.engine.EnforcerFixture.request;
import static dev.llmthrottle.test.engine.EnforcerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {

	@Test
	void entriesCountWhileYoungerThanThePeriod() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:3/10s");
		f.admitted(request());
		f.at(2 * S);
		f.admitted(request());
		f.at(4 * S);
		f.admitted(request());
		f.at(5 * S);
		assertThat(f.throttledWait(request())).isEqualTo(5 * S);
		f.at(10 * S - 1);
		assertThat(f.throttledWait(request())).isEqualTo(1);
		f.at(10 * S);
		f.admitted(request());
		assertThat(f.throttledWait(request())).isEqualTo(2 * S);
	}

	@Test
	void refusesTheBoundaryBurstThatFixedCyclesAllow() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:5/10s");
		f.at(9 * S + 900 * MS);
		f.burst(5, request());
		f.at(10 * S + 100 * MS);
		assertThat(f.throttledWait(request())).isEqualTo(9800 * MS);
		f.at(19 * S + 900 * MS);
		f.burst(5, request());
	}

	@Test
	void waitsForEnoughOldEntriesToExpire() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "tokens:100/10s");
		f.admitted(tokens(30));
		f.at(1 * S);
		f.admitted(tokens(30));
		f.at(2 * S);
		f.admitted(tokens(30));
		// 90 used: 50 more needs the first two entries to expire (at 11 s)
		f.at(3 * S);
		assertThat(f.throttledWait(tokens(50))).isEqualTo(8 * S);
		assertThat(f.throttledWait(tokens(20))).isEqualTo(7 * S);
		f.admitted(tokens(10));
	}

	@Test
	void settlementAdjustsTheEntryWhereItStands() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "tokens:100/10s");
		Ticket t = f.admitted(tokens(80));
		f.enforcer.settle(t, tokens(30));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(70);
		f.at(1 * S);
		f.admitted(tokens(70));
		f.at(2 * S);
		// the settled 30 at t=0 frees first; one more token must wait until then
		assertThat(f.throttledWait(tokens(1))).isEqualTo(8 * S);
		f.enforcer.settle(t, tokens(35));
		assertThat(f.state(Dimension.TOKENS).remaining()).isZero();
		assertThat(f.throttledWait(tokens(1))).isEqualTo(8 * S);
	}

	@Test
	void settlementAfterExpiryChangesNothing() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "tokens:100/10s");
		Ticket t = f.admitted(tokens(80));
		f.at(10 * S);
		f.enforcer.settle(t, tokens(100));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(100);
	}

	@Test
	void resetIsWhenTheNewestEntryExpires() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:3/10s");
		f.admitted(request());
		f.at(4 * S);
		f.admitted(request());
		f.at(6 * S);
		LimitState s = f.state(Dimension.REQUESTS);
		assertThat(s.remaining()).isEqualTo(1);
		assertThat(s.resetNanos()).isEqualTo(8 * S);
		f.at(14 * S);
		assertThat(f.state(Dimension.REQUESTS).resetNanos()).isZero();
	}

}
