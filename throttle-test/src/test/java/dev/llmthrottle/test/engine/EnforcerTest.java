package dev.llmthrottle.test.engine;

import static dev.llmthrottle.test.engine.EnforcerFixture.MS;
import static dev.llmthrottle.test.engine.EnforcerFixture.S;
import static dev.llmthrottle.test.engine.EnforcerFixture.request;
import static dev.llmthrottle.test.engine.EnforcerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import org.junit.jupiter.api.Test;

class EnforcerTest {

	@Test
	void admitsOnlyWhenEveryLimitHasRoomAndConsumesNothingOtherwise() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:10/10s", "tokens:100/10s");
		f.admitted(tokens(60));
		Admission refused = f.admit(tokens(60));
		assertThat(refused).isInstanceOfSatisfying(Admission.Throttled.class, t -> {
			assertThat(t.limit().dimension()).isEqualTo(Dimension.TOKENS);
			assertThat(t.waitNanos()).isEqualTo(10 * S);
		});
		assertThat(f.state(Dimension.REQUESTS).remaining()).isEqualTo(9);
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(40);
	}

	@Test
	void theHintIsTheLongestWaitOverAllLimits() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:2/1s", "tokens:100/10s");
		f.admitted(tokens(100));
		f.at(200 * MS);
		Admission refused = f.admit(tokens(1));
		assertThat(refused).isInstanceOfSatisfying(Admission.Throttled.class, t -> {
			assertThat(t.limit()).isEqualTo(Limit.parse("tokens:100/10s"));
			assertThat(t.waitNanos()).isEqualTo(9800 * MS);
		});
	}

	@Test
	void aCostAboveTheLimitIsTooLarge() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "requests:10/10s", "tokens:100/10s");
		assertThat(f.admit(tokens(101))).isInstanceOfSatisfying(Admission.TooLarge.class, t -> {
			assertThat(t.limit().dimension()).isEqualTo(Dimension.TOKENS);
			assertThat(t.requested()).isEqualTo(101);
		});
		assertThat(f.state(Dimension.REQUESTS).remaining()).isEqualTo(10);
	}

	@Test
	void theConcurrencyCapHintsAtTheFirstPlannedCompletion() {
		EnforcerFixture f = new EnforcerFixture(
				EnforcerSettings.of(EnforcementModel.SLIDING_WINDOW, Limit.parse("requests:10/10s"))
					.withMaxConcurrent(2));
		Admission first = f.enforcer.tryAdmit(request(), 5 * S);
		Admission second = f.enforcer.tryAdmit(request(), 3 * S);
		f.at(1 * S);
		assertThat(f.enforcer.tryAdmit(request(), 0)).isInstanceOfSatisfying(Admission.Saturated.class, s -> {
			assertThat(s.maxConcurrent()).isEqualTo(2);
			assertThat(s.waitNanos()).isEqualTo(2 * S);
		});
		assertThat(f.state(Dimension.REQUESTS).remaining()).isEqualTo(8);
		f.enforcer.complete(((Admission.Admitted) second).ticket());
		f.admitted(request());
		f.enforcer.complete(((Admission.Admitted) first).ticket());
		assertThat(f.enforcer.ledger().maxInFlight()).isEqualTo(2);
		assertThat(f.enforcer.ledger().inFlight()).isEqualTo(1);
	}

	@Test
	void outputChargedAsProducedCountsAtItsOwnInstant() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "output-tokens:100/10s");
		Ticket t = f.admitted(request());
		f.at(2 * S);
		f.enforcer.charge(t, Cost.output(60));
		f.at(4 * S);
		f.enforcer.charge(t, Cost.output(40));
		// a zero-cost dimension still needs one unit of room
		assertThat(f.throttledWait(request())).isEqualTo(8 * S);
		f.at(12 * S);
		f.admitted(request());
	}

	@Test
	void theLedgerKeepsSettledAmountsAtTheirAdmissionInstants() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.SLIDING_WINDOW, "requests:100/10s", "tokens:1000/10s");
		f.admitted(tokens(10));
		f.at(1 * S);
		Ticket second = f.admitted(tokens(20));
		f.at(1500 * MS);
		f.admitted(tokens(30));
		f.at(2500 * MS);
		f.admitted(tokens(40));
		f.enforcer.settle(second, tokens(5));

		LedgerSnapshot ledger = f.enforcer.ledger();
		LedgerSnapshot.Series tokens = ledger.series().get(Dimension.TOKENS);
		assertThat(tokens.total()).isEqualTo(85);
		assertThat(tokens.maxInWindow(1 * S)).isEqualTo(40);
		assertThat(tokens.maxInWindow(2 * S)).isEqualTo(75);
		assertThat(tokens.maxInWindow(10 * S)).isEqualTo(85);
		assertThat(ledger.series().get(Dimension.REQUESTS).maxInWindow(1 * S)).isEqualTo(2);
		assertThat(ledger.admitted()).isEqualTo(4);
		assertThat(ledger.firstAdmission()).isZero();
	}

	@Test
	void theNoisyNeighbourTakesItsShareButStaysOutOfTheLedger() {
		EnforcerFixture f = new EnforcerFixture(
				EnforcerSettings.of(EnforcementModel.SLIDING_WINDOW, Limit.parse("requests:100/10s"))
					.withNeighbourShare(0.25));
		f.at(10 * S);
		assertThat(f.state(Dimension.REQUESTS).remaining()).isEqualTo(75);
		f.burst(75, request());
		f.throttledWait(request());
		assertThat(f.enforcer.ledger().series().get(Dimension.REQUESTS).total()).isEqualTo(75);
	}

	@Test
	void resetRestoresEveryLimitAndIgnoresOldTickets() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.TOKEN_BUCKET, "tokens:100/10s");
		Ticket old = f.admitted(tokens(100));
		f.enforcer.reset();
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(100);
		f.enforcer.settle(old, tokens(150));
		assertThat(f.state(Dimension.TOKENS).remaining()).isEqualTo(100);
		assertThat(f.enforcer.ledger().admitted()).isZero();
		assertThat(f.enforcer.ledger().inFlight()).isEqualTo(1);
		f.enforcer.complete(old);
		assertThat(f.enforcer.ledger().inFlight()).isZero();
		assertThat(f.enforcer.ledger().completed()).isZero();
	}

}
