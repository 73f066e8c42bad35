package dev.llmthrottle.sample.batch;

import java.util.List;
import java.util.Locale;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.DurationFormat;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.sample.client.CallTrace;

/**
 * The progress line printed every few seconds while a batch runs, for example
 * {@code progress 120/300 done, 0 failed | in flight 8, queued 56 | requests 239/240 per 1m, tokens 31,200/40,000
 * per 1m | 429s 0}.
 *
 * <p>
 * Each limit shows what the batch sent over the limit's period up to now (scaled up to a
 * full period while less than one has passed): requests by the time each attempt left,
 * tokens from {@code usage} for finished calls and from the estimate for calls still on
 * the wire.
 */
final class ProgressLine {

	private ProgressLine() {
	}

	static String of(BatchRecorder recorder, ProviderThrottler throttler, List<Limit> limits) {
		long now = System.nanoTime();
		int inFlight = 0;
		int queued = 0;
		for (Partition partition : throttler.partitions()) {
			PartitionSnapshot snapshot = partition.snapshot();
			inFlight += snapshot.inFlight();
			queued += snapshot.queued();
		}
		StringBuilder line = new StringBuilder(
				String.format(Locale.ROOT, "progress %d/%d done, %d failed | in flight %d, queued %d |",
						recorder.completed(), recorder.calls().size(), recorder.failed(), inFlight, queued));
		for (Limit limit : limits) {
			line.append(String.format(Locale.ROOT, " %s %,d/%,d per %s,", limit.dimension().id(),
					Math.round(ratePerPeriod(recorder, limit, now)), limit.amount(),
					DurationFormat.format(limit.period())));
		}
		line.setLength(line.length() - 1);
		line.append(String.format(Locale.ROOT, " | 429s %d", recorder.tooManyRequests()));
		return line.toString();
	}

	/**
	 * What was sent in the trailing period, scaled to a full period while less than one
	 * has passed.
	 */
	private static double ratePerPeriod(BatchRecorder recorder, Limit limit, long now) {
		long period = limit.periodNanos();
		long window = Math.min(period, now - recorder.startedAt());
		if (window <= 0) {
			return 0;
		}
		long from = now - window;
		double amount = 0;
		for (BatchCall call : recorder.calls()) {
			List<CallTrace.Attempt> attempts = call.trace().attempts();
			if (attempts.isEmpty()) {
				continue;
			}
			if (limit.dimension() == Dimension.REQUESTS) {
				for (CallTrace.Attempt attempt : attempts) {
					if (attempt.startedAt() > from && attempt.status() != 429) {
						amount++;
					}
				}
			}
			else if (attempts.get(attempts.size() - 1).startedAt() > from) {
				amount += call.tokens(limit.dimension());
			}
		}
		return amount * period / window;
	}

}
