package dev.llmthrottle.test.stats;

import dev.llmthrottle.test.clock.SimClock;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.engine.LedgerSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link ProviderStats} from the enforcer's ledger and the outcome counters. */
public final class StatsAssembler {

	private static final long SECOND = 1_000_000_000L;

	private StatsAssembler() {
	}

	/**
	 * Computes the statistics; the window maxima are exact, from the ledger's settled
	 * charges.
	 */
	public static ProviderStats assemble(LedgerSnapshot ledger, Outcomes outcomes, List<Limit> limits, SimClock clock) {
		List<LimitStats> perLimit = new ArrayList<>();
		for (Limit limit : limits) {
			LedgerSnapshot.Series series = ledger.series().get(limit.dimension());
			perLimit.add(new LimitStats(limit, series.maxInWindow(limit.periodNanos()), series.maxInWindow(SECOND),
					series.total()));
		}
		Map<String, Long> byDimension = new LinkedHashMap<>();
		for (Dimension d : Dimension.values()) {
			byDimension.put(d.key(), ledger.series().get(d).total());
		}
		Map<String, Long> rejections = outcomes.rejections();
		long rejected = rejections.values().stream().mapToLong(Long::longValue).sum();
		Map<Integer, Long> statuses = outcomes.statuses();
		return new ProviderStats(outcomes.receivedCount(), ledger.admitted(), ledger.completed(), rejected, rejections,
				statuses.getOrDefault(429, 0L), statuses, outcomes.faults(), perLimit, byDimension,
				ledger.series().get(Dimension.REQUESTS).maxInWindow(SECOND), ledger.inFlight(), ledger.maxInFlight(),
				instant(ledger.firstAdmission(), clock), instant(ledger.lastCompletion(), clock));
	}

	private static Instant instant(long nanoTime, SimClock clock) {
		return nanoTime == LedgerSnapshot.NONE ? null : clock.instant(nanoTime);
	}

}
