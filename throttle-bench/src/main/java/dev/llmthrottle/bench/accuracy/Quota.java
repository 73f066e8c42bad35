package dev.llmthrottle.bench.accuracy;

import java.time.Duration;
import java.util.List;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

/**
 * A provider's budget: {@code requests} and {@code tokens} per {@code period}.
 *
 * @param requests requests per period
 * @param tokens tokens (input + output) per period
 * @param period the window
 */
public record Quota(long requests, long tokens, Duration period) {

	/** The same budget as our engine's limits. */
	public List<Limit> limits() {
		return List.of(Limit.of(Dimension.REQUESTS, this.requests, this.period),
				Limit.of(Dimension.TOKENS, this.tokens, this.period));
	}

	/** The same rates over a period {@code factor} times longer. */
	public Quota stretched(long factor) {
		return new Quota(this.requests * factor, this.tokens * factor, this.period.multipliedBy(factor));
	}

	/** E.g. {@code requests:300/6s,tokens:90000/6s}. */
	@Override
	public String toString() {
		String period = this.period.toMillis() % 1000 == 0 ? this.period.toSeconds() + "s"
				: this.period.toMillis() + "ms";
		return "requests:" + this.requests + "/" + period + ",tokens:" + this.tokens + "/" + period;
	}

}
