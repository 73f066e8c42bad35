package dev.llmthrottle.core.rate;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

import static org.assertj.core.api.Assertions.assertThat;

class PacedWindowTest {

	private static final long MS = 1_000_000L;

	private static final long S = 1_000_000_000L;

	@Test
	void sixPerSecondWithoutBurstIsSpreadEvenly() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 6, Duration.ofSeconds(1)), 0);
		long interval = 168_333_334L; // ceil(1.01 s / 6): the period plus its 1% guard
		long now = 0;
		for (int i = 0; i < 12; i++) {
			long wait = window.nanosUntilAvailable(1, now);
			assertThat(wait).as("wait before admission %d", i).isEqualTo((i == 0) ? 0 : interval);
			now += wait;
			window.consume(1, now);
		}
		assertThat(now).isEqualTo(11 * interval);
	}

	@Test
	void burstLetsCallsRunAheadThenPaces() {
		// 10/s (101 ms apart with the guard) and 303 ms of burst: after idle, 1 + 3 calls go at once
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)), 303 * MS);
		int immediate = 0;
		while (window.nanosUntilAvailable(1, 0) == 0) {
			window.consume(1, 0);
			immediate++;
		}
		assertThat(immediate).isEqualTo(4);
		assertThat(window.nanosUntilAvailable(1, 0)).isEqualTo(101 * MS);
	}

	@Test
	void trailingWindowBindsWhenPacingWouldAllow() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 100, Duration.ofSeconds(1)), 0);
		window.consume(60, 0);
		// pacing alone allows the next call at 0.606 s, but 60 + 60 > 100 until the first leaves at 1.01 s
		assertThat(window.nanosUntilAvailable(60, 606 * MS)).isEqualTo(404 * MS);
		assertThat(window.nanosUntilAvailable(40, 606 * MS)).isZero();
	}

	@Test
	void costAboveTheLimitNeverFits() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 100, Duration.ofSeconds(1)), 0);
		assertThat(window.nanosUntilAvailable(101, 0)).isEqualTo(PacedWindow.NEVER);
		assertThat(window.nanosUntilAvailable(100, 0)).isZero();
	}

	@Test
	void refundFreesWindowAndPacing() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 100, Duration.ofSeconds(1)), 0);
		PacedWindow.Entry entry = window.consume(80, 0);
		assertThat(window.nanosUntilAvailable(50, 100 * MS)).isEqualTo(910 * MS);
		window.settle(entry, 80, 20, 100 * MS);
		assertThat(window.used(100 * MS)).isEqualTo(20);
		// pacing moved back by 60 units (606 ms) to 202 ms; window has 80 free
		assertThat(window.nanosUntilAvailable(50, 100 * MS)).isEqualTo(102 * MS);
	}

	@Test
	void debtIsChargedToTheAdmissionOrToNow() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.OUTPUT_TOKENS, 100, Duration.ofSeconds(1)), 0);
		PacedWindow.Entry entry = window.consume(10, 0);
		window.settle(entry, 10, 70, 200 * MS);
		assertThat(window.used(200 * MS)).isEqualTo(70);
		assertThat(window.used(S + 10 * MS)).isZero();
		PacedWindow.Entry old = window.consume(10, 2 * S);
		window.settle(old, 10, 30, 3 * S + 20 * MS); // entry has left the window: the debt lands now
		assertThat(window.used(3 * S + 20 * MS)).isEqualTo(20);
	}

	@Test
	void providerReportingLessRemainingShrinksUntilReset() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 100, Duration.ofMinutes(1)), 60 * S);
		window.consume(10, 0);
		window.reportRemaining(40, 20 * S, 0); // we believed 90
		assertThat(window.available(0)).isEqualTo(40);
		assertThat(window.available(20 * S)).isEqualTo(90);
		window.reportRemaining(95, 10 * S, 20 * S); // more than we believe: ignored
		assertThat(window.available(20 * S)).isEqualTo(90);
	}

	@Test
	void yearsOfIdleDoNotOverflow() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 2_000_000, Duration.ofDays(1)), 0);
		window.consume(2_000_000, 0);
		long tenYears = Duration.ofDays(3650).toNanos();
		assertThat(window.nanosUntilAvailable(2_000_000, tenYears)).isZero();
		assertThat(window.isIdle(tenYears)).isTrue();
	}

	@Test
	void dayLongWindowKeepsBoundedBuckets() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 1_000_000, Duration.ofDays(1)), 0);
		long interval = Duration.ofDays(1).toNanos() / 1_000_000;
		long now = 0;
		for (int i = 0; i < 200_000; i++) {
			now += interval;
			window.consume(1, now);
		}
		assertThat(window.used(now)).isEqualTo(200_000);
		assertThat(window.available(now)).isEqualTo(800_000);
	}

}
