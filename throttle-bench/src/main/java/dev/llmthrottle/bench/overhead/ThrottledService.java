package dev.llmthrottle.bench.overhead;

import dev.llmthrottle.annotation.LlmThrottled;

/**
 * The smallest annotated bean: each call is admitted with one request and 500 tokens, as
 * the engine benchmarks spend, and does nothing else.
 */
public class ThrottledService {

	@LlmThrottled(provider = ProxyFixture.PROVIDER, tokens = "500")
	public int call() {
		return 1;
	}

}
