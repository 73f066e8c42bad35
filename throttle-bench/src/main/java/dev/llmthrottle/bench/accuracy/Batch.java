package dev.llmthrottle.bench.accuracy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The batch every client sends: the same seeded calls with mixed prompt lengths and
 * output caps.
 */
public final class Batch {

	private static final List<String> WORDS = List.of("limit", "token", "window", "request", "provider", "model",
			"answer", "summary", "quota", "bucket", "latency", "batch", "prompt", "reply", "retry", "minute");

	private static final List<Integer> MAX_TOKENS = List.of(64, 128, 256, 512);

	private Batch() {
	}

	/**
	 * {@code calls} calls: prompts of 100 to 800 characters,
	 * {@code max_completion_tokens} one of 64, 128, 256 or 512, all drawn from
	 * {@code seed}.
	 */
	public static List<Call> generate(int calls, long seed) {
		Random random = new Random(seed);
		List<Call> batch = new ArrayList<>(calls);
		for (int i = 0; i < calls; i++) {
			int length = 100 + random.nextInt(701);
			StringBuilder prompt = new StringBuilder(length + 10);
			while (prompt.length() < length) {
				if (prompt.length() > 0) {
					prompt.append(' ');
				}
				prompt.append(WORDS.get(random.nextInt(WORDS.size())));
			}
			prompt.setLength(length);
			batch.add(new Call(i, prompt.toString().strip(), MAX_TOKENS.get(random.nextInt(MAX_TOKENS.size()))));
		}
		return List.copyOf(batch);
	}

}
