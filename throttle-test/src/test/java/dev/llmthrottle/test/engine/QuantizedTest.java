package dev.llmthrottle.test.engine;

import static dev.llmthrottle.test.engine.EnforcerFixture.MS;
import static dev.llmthrottle.test.engine.EnforcerFixture.S;
import static dev.llmthrottle.test.engine.EnforcerFixture.request;
import static dev.llmthrottle.test.engine.EnforcerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuantizedTest {

	@Test
	void perQuantumIsTheFlooredShareAtLeastOne() {
		assertThat(QuantizedMeter.perQuantum(Limit.parse("requests:60000/1m"), S)).isEqualTo(1000);
		assertThat(QuantizedMeter.perQuantum(Limit.parse("requests:50/10s"), S)).isEqualTo(5);
		assertThat(QuantizedMeter.perQuantum(Limit.parse("requests:59/1m"), S)).isEqualTo(1);
		assertThat(QuantizedMeter.perQuantum(Limit.parse("requests:10/1m"), S)).isEqualTo(1);
		assertThat(QuantizedMeter.perQuantum(Limit.parse("requests:600/1m"), 10 * S)).isEqualTo(100);
	}

	@Test
	void aBurstIsRefusedFarBelowThePerPeriodFigure() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.QUANTIZED, "requests:50/10s");
		f.burst(5, request());
		long w = f.throttledWait(request());
		assertThat(w).isPositive().isLessThanOrEqualTo(1 * S);
		LimitState reported = f.state(Dimension.REQUESTS);
		assertThat(reported.remaining()).as("headers show the per-period figure").isEqualTo(45);
		f.at(w);
		f.burst(5, request());
		assertThat(f.throttledWait(request())).isEqualTo(1 * S);
	}

	@Test
	void pacedTrafficGetsTheWholeLimit() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.QUANTIZED, "requests:50/10s");
		f.admitted(request());
		long start = f.state(Dimension.REQUESTS).resetNanos(); // first period (and
																// quantum) boundary
		int admitted = 0;
		for (int quantum = 0; quantum < 10; quantum++) {
			f.at(start + quantum * S + 10 * MS);
			f.burst(5, request());
			admitted += 5;
		}
		assertThat(admitted).isEqualTo(50);
		assertThat(f.state(Dimension.REQUESTS).remaining()).isZero();
	}

	@Test
	void thePerPeriodFigureStillBindsWhenTheQuantumRoundsUp() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.QUANTIZED, "requests:3/1m");
		f.admitted(request());
		long start = f.state(Dimension.REQUESTS).resetNanos();
		for (int i = 0; i < 2; i++) {
			f.at(start + i * S);
			f.admitted(request());
			assertThat(f.throttledWait(request())).as("next quantum").isEqualTo(1 * S);
		}
		f.at(start + 2 * S);
		f.admitted(request());
		assertThat(f.throttledWait(request())).as("next period window").isEqualTo(58 * S);
		f.at(start + 3 * S);
		assertThat(f.throttledWait(request())).isEqualTo(57 * S);
	}

	@Test
	void tokenLimitsAreFixedPerPeriodWindows() {
		EnforcerFixture f = EnforcerFixture.of(EnforcementModel.QUANTIZED, "tokens:100/10s");
		f.admitted(tokens(60));
		f.admitted(tokens(40));
		long w = f.throttledWait(tokens(1));
		assertThat(w).isEqualTo(f.state(Dimension.TOKENS).resetNanos());
		f.at(w);
		f.admitted(tokens(100));
	}

	@Test
	void quantumIsConfigurable() {
		EnforcerFixture f = new EnforcerFixture(
				EnforcerSettings.of(EnforcementModel.QUANTIZED, Limit.parse("requests:600/1m"))
					.withQuantum(Duration.ofSeconds(10)));
		f.burst(100, request());
		assertThat(f.throttledWait(request())).isPositive().isLessThanOrEqualTo(10 * S);
	}

}
