package dev.llmthrottle.exchange;

import java.time.Duration;

/**
 * What to do after a provider's response: pass it on, retry after a delay, fail with a
 * typed exception, or give up and pass the last response on unchanged (attempts or
 * deadline exhausted).
 */
public sealed interface CallVerdict {

	/** The response is a success: pass it on. */
	record Proceed() implements CallVerdict {
	}

	/**
	 * Retry after {@code delay}; {@code cooldown} says whether the delay is a
	 * partition-wide cooldown (which admission waits out by itself) rather than this
	 * call's own backoff.
	 */
	record Retry(Duration delay, boolean cooldown) implements CallVerdict {
	}

	/** Surface {@code error}: retrying will not help. */
	record Fail(RuntimeException error) implements CallVerdict {
	}

	/** No attempt or time left: pass the last response on as it is. */
	record GiveUp() implements CallVerdict {
	}

}
