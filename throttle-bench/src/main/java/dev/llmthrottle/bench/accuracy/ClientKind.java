package dev.llmthrottle.bench.accuracy;

/** The clients compared, by the name printed in each line. */
public enum ClientKind {

	/** A semaphore and a retry loop honouring {@code retry-after}; no rate control. */
	NAIVE("naive"),
	/** Resilience4j as documented: limit per period, retry with defaults. */
	R4J_DOCS("r4j-docs"),
	/** Resilience4j with a period and amount divided by 60. */
	R4J_TUNED("r4j-tuned"),
	/** The openai-java SDK with its built-in retry. */
	OPENAI_SDK("openai-sdk"),
	/** llm-throttle with the provider's limits and otherwise default settings. */
	LLM_THROTTLE("llm-throttle"),
	/**
	 * llm-throttle with {@code requests-per-minute} and {@code tokens-per-minute} set to
	 * {@code auto}.
	 */
	LLM_THROTTLE_AUTO("llm-throttle-auto"),
	/**
	 * llm-throttle with the full limits while an unseen neighbour takes a share of them.
	 */
	LLM_THROTTLE_NOISY("llm-throttle-noisy"),
	/**
	 * Three llm-throttle instances with default settings sharing the provider's limits
	 * through Redis (part 3 of the benchmarks; needs a local Redis, so not in the default
	 * client list).
	 */
	LLM_THROTTLE_REDIS_X3("llm-throttle-redis-x3"),
	/**
	 * llm-throttle with {@code requests-per-minute} and {@code tokens-per-minute} set to
	 * {@code auto} against a provider that sends no rate-limit header and enforces 100
	 * requests (the {@code --requests} flag) per 10 s: the rate is learned from 429s
	 * alone (issue 14; its cells take a minute or more each, so not in the default client
	 * list).
	 */
	LLM_THROTTLE_HEADERLESS("llm-throttle-headerless");

	private final String id;

	ClientKind(String id) {
		this.id = id;
	}

	public String id() {
		return this.id;
	}

	/** The client of that printed name. */
	public static ClientKind of(String id) {
		for (ClientKind kind : values()) {
			if (kind.id.equals(id)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("unknown client '" + id + "'");
	}

}
