package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.time.Instant;

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
		// 10/s (101 ms apart with the guard) and 303 ms of burst: after idle, 1 + 3 calls
		// go at once
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
		// pacing alone allows the next call at 0.606 s, but 60 + 60 > 100 until the first
		// leaves at 1.01 s
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
		window.settle(old, 10, 30, 3 * S + 20 * MS); // entry has left the window: the
														// debt lands now
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

	@Test
	void zeroCostCallsWaitWhileTheWindowIsInDebt() {
		// defect 3 (rule R1): calls estimated at 0 output tokens, each settled with 900,
		// against 1,000 per minute
		// a minute of burst, so that the window rather than the pacing decides
		PacedWindow window = new PacedWindow(Limit.perMinute(Dimension.OUTPUT_TOKENS, 1000), 60 * S);
		long now = 0;
		int admittedAtOnce = 0;
		for (int call = 0; call < 20; call++) {
			long wait = window.nanosUntilAvailable(0, now);
			if (wait == 0) {
				admittedAtOnce++;
			}
			now += wait;
			assertThat(window.used(now)).as("window before call %d", call).isLessThan(1000);
			PacedWindow.Entry entry = window.consume(0, now);
			window.settle(entry, 0, 900, now);
		}
		// 0 + 900 < 1000 lets the second call in; from then on the debt holds every call
		// back until it drains
		assertThat(admittedAtOnce).isEqualTo(2);
		assertThat(now).as("at most two calls (0 + 900 < 1000) in any window: 20 calls span at least 9 periods")
			.isGreaterThan(9 * 60 * S);
	}

	@Test
	void absurdSettlementLeavesTheKeyUsableWithinTwoPeriods() {
		// defect 9: 1e14 tokens on 100k per minute used to refuse every call for ~292
		// years
		PacedWindow window = new PacedWindow(Limit.perMinute(Dimension.TOKENS, 100_000), 6 * S);
		long period = 60_600 * MS; // the minute plus its 1% guard
		long now = 5 * S;
		PacedWindow.Entry entry = window.consume(1000, now);
		window.settle(entry, 1000, 100_000_000_000_000L, now);
		assertThat(window.used(now)).as("a settlement adds at most one amount beyond its estimate").isEqualTo(101_000);
		assertThat(window.nanosUntilAvailable(1000, now)).isPositive().isLessThanOrEqualTo(2 * period);
		assertThat(window.nanosUntilAvailable(100_000, now + 2 * period)).isZero();
	}

	@Test
	void hugeSettlementsNeverWrapTheWindowSum() {
		// defect 9: two reports of 5e18 wrapped the sum negative and disabled the limit
		PacedWindow window = new PacedWindow(Limit.perMinute(Dimension.TOKENS, 100_000), 0);
		long now = 0;
		for (int i = 0; i < 2; i++) {
			PacedWindow.Entry entry = window.consume(10, now);
			window.settle(entry, 10, 5_000_000_000_000_000_000L, now);
			now += MS;
		}
		assertThat(window.used(now)).as("the window's sum is capped at twice the amount").isEqualTo(200_000);
		assertThat(window.available(now)).isZero();
		assertThat(window.nanosUntilAvailable(1, now)).isPositive();
		assertThat(window.nanosUntilAvailable(0, now)).isPositive();
	}

	@Test
	void timeJumpsAndExtremeInputsNeverThrowNorLeaveTheHorizon() {
		long[] instants = { 0, Duration.ofDays(3650).toNanos(), Long.MAX_VALUE / 2, Long.MAX_VALUE - 1,
				Long.MIN_VALUE / 2, Long.MIN_VALUE + 1 };
		long[] values = { Long.MIN_VALUE, -1, 0, 1, 99_999, 100_000, 100_001, 1L << 53, Long.MAX_VALUE / 2,
				Long.MAX_VALUE };
		for (long origin : instants) {
			PacedWindow window = new PacedWindow(Limit.perMinute(Dimension.TOKENS, 100_000), Long.MAX_VALUE);
			long period = 60_600 * MS;
			for (long value : values) {
				long now = origin;
				PacedWindow.Entry entry = window.consume(Math.min(Math.max(value, 0), 100_000), now);
				window.settle(entry, value, value, now);
				window.settle(entry, 100, value, now);
				window.settle(window.consume(0, now), 0, value, now);
				window.reportRemaining(value, value, now);
				window.relearn(Limit.perMinute(Dimension.TOKENS, (value > 0) ? value : 1), now);
				window.relearn(Limit.perMinute(Dimension.TOKENS, 100_000), now);
				long amount = window.limit().amount();
				assertThat(window.used(now)).as("origin %d, value %d", origin, value).isBetween(0L, twice(amount));
				assertThat(window.available(now)).isBetween(0L, amount);
				assertThat(window.nanosUntilAvailable(value, now)).satisfiesAnyOf(
						(wait) -> assertThat(wait).isBetween(0L, 2 * period),
						(wait) -> assertThat(wait).isEqualTo(PacedWindow.NEVER));
				assertThat(window.nanosUntilAvailable(1, now)).isBetween(0L, 2 * period);
				long later = (now > Long.MAX_VALUE - 2 * period) ? Long.MAX_VALUE : now + 2 * period;
				assertThat(window.nanosUntilAvailable(1, later)).as("free again two periods later").isZero();
			}
		}
	}

	@Test
	void reportedRemainingAndResetAreClampedNeverThrown() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(10)), 0);
		long period = 10_100 * MS; // ten seconds plus the 1% guard
		long now = 3 * S;
		// a reset in year 9999 (Anthropic) holds the shortfall back for one period at
		// most
		window.reportRemaining(-7,
				Duration.between(Instant.parse("2026-03-01T12:00:00Z"), Instant.parse("9999-12-31T23:59:59Z")), now);
		assertThat(window.available(now)).as("negative remaining counts as none left").isZero();
		assertThat(window.nanosUntilAvailable(1, now)).isEqualTo(period);
		assertThat(window.available(now + period)).isEqualTo(100);
		window.reportRemaining(Long.MAX_VALUE, Duration.ofSeconds(Long.MAX_VALUE), now + period);
		assertThat(window.available(now + period)).as("more than the amount is never believed").isEqualTo(100);
		window.reportRemaining(0, Duration.ofSeconds(-5), now + period);
		assertThat(window.available(now + period)).as("a reset in the past is ignored").isEqualTo(100);
	}

	@Test
	void refundNeverErasesADebtAddedToATrimmedBucket() {
		// PartitionModelTest.everythingAtOnce seed 130: a call admitted under a large
		// amount, the amount then learned
		// down to 1, a debt settled into the same bucket (the cap keeps 2 of its units),
		// then the call refunded
		PacedWindow window = new PacedWindow(Limit.of(Dimension.OUTPUT_TOKENS, 10, Duration.ofSeconds(1)), 0);
		long now = 5 * S;
		PacedWindow.Entry call = window.consume(8, now);
		window.relearn(Limit.of(Dimension.OUTPUT_TOKENS, 1, Duration.ofSeconds(1)), now);
		window.settle(window.consume(0, now), 0, 1, now);
		window.settle(window.consume(0, now), 0, 1, now);
		assertThat(window.used(now)).as("10 units in the bucket, capped at twice the amount").isEqualTo(2);
		// the call's 8 units are the oldest of its bucket: the cap dropped them, so its
		// refund takes nothing back
		window.settle(call, 8, 0, now);
		assertThat(window.used(now)).as("the two debts still hold the window").isEqualTo(2);
		assertThat(window.nanosUntilAvailable(0, now)).as("a cost-0 call waits for the debts to leave (R1)")
			.isEqualTo(1010 * MS);
		assertThat(window.nanosUntilAvailable(0, now + 1010 * MS)).isZero();
	}

	@Test
	void refundsTakeBackOnlyWhatTheCapKept() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 10, Duration.ofSeconds(1)), 0);
		long now = 5 * S;
		PacedWindow.Entry first = window.consume(6, now);
		PacedWindow.Entry second = window.consume(4, now);
		window.settle(window.consume(0, now), 0, 10, now);
		window.settle(window.consume(0, now), 0, 6, now);
		assertThat(window.used(now)).as("26 in the bucket, 20 kept").isEqualTo(20);
		// an unbounded window would hold 20 after the first refund and 16 after the
		// second: the cap changes neither
		window.settle(first, 6, 0, now);
		assertThat(window.used(now)).isEqualTo(20);
		window.settle(second, 4, 0, now);
		assertThat(window.used(now)).isEqualTo(16);
	}

	@Test
	void aRaisedAmountSeesWhatTheCapDroppedUnderTheLowerOne() {
		// PartitionModelTest.everythingAtOnce seed 272: two debts trimmed at twice a
		// small amount, then the amount
		// raised by a policy change: what the provider counts is still in its window
		PacedWindow window = new PacedWindow(Limit.of(Dimension.TOKENS, 10, Duration.ofSeconds(1)), S);
		PacedWindow.Entry first = window.consume(8, 0);
		assertThat(first).isNotNull();
		long later = 100 * MS;
		window.settle(window.consume(0, later), 0, 10, later);
		window.settle(window.consume(0, later), 0, 10, later);
		assertThat(window.used(later)).as("28 admitted, 20 kept").isEqualTo(20);
		window.relearn(Limit.of(Dimension.TOKENS, 30, Duration.ofSeconds(1)), S, later);
		assertThat(window.used(later)).as("all 28 within twice the raised amount").isEqualTo(28);
		assertThat(window.nanosUntilAvailable(2, later)).isZero();
		assertThat(window.nanosUntilAvailable(3, later)).as("until the first 8 leave").isEqualTo(1010 * MS - later);
	}

	private static long twice(long amount) {
		return (amount > Long.MAX_VALUE / 2) ? Long.MAX_VALUE : 2 * amount;
	}

	@Test
	void aReservedSharePacesAtWhatItLeavesAndHoldsTheWindowBack() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)), 0);
		window.reserve(300_000, S, 0);
		window.consume(1, 0);
		// 1.01 s / 7 instead of 1.01 s / 10
		assertThat(window.nanosUntilAvailable(1, 0)).isEqualTo(144_285_715L);
		assertThat(window.available(0)).isEqualTo(6);
		// a call within the amount but above what the share leaves is not too large: it
		// waits for a window holding nothing else
		assertThat(window.nanosUntilAvailable(9, 0)).isNotEqualTo(PacedWindow.NEVER).isPositive();
		assertThat(window.nanosUntilAvailable(11, 0)).isEqualTo(PacedWindow.NEVER);
		assertThat(window.reservePpm(S - 1)).isEqualTo(300_000);
		assertThat(window.reservePpm(S)).isZero();
	}

	@Test
	void aReservedShareIsBoundedWhateverTheCallerPasses() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)), 0);
		window.reserve(Long.MAX_VALUE, Long.MAX_VALUE, 0);
		assertThat(window.reservePpm(0)).isEqualTo(PacedWindow.MAX_RESERVE_PPM);
		assertThat(window.available(0)).isEqualTo(1);
		// lapses two (guarded) periods ahead at most
		assertThat(window.reservePpm(2020 * MS - 1)).isEqualTo(PacedWindow.MAX_RESERVE_PPM);
		assertThat(window.reservePpm(2020 * MS)).isZero();
		window.reserve(-5, -5, 0);
		assertThat(window.reservePpm(0)).isZero();
		assertThat(window.available(0)).isEqualTo(10);
	}

	@Test
	void aReservedShareAndTheExternalReservationDoNotAddUp() {
		PacedWindow window = new PacedWindow(Limit.of(Dimension.REQUESTS, 100, Duration.ofSeconds(1)), 0);
		// the provider reports 60 remaining: the neighbour holds 40 until the reset, and
		// its share (plus margin) is reserved
		window.reportRemaining(60, 500 * MS, 0);
		window.reserve(420_000, S, 0);
		assertThat(window.available(0)).isEqualTo(58);
		window.reserve(300_000, S, 0);
		assertThat(window.available(0)).isEqualTo(60);
		// after the reset only the share is held
		assertThat(window.available(500 * MS)).isEqualTo(70);
	}

}
