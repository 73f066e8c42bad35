package dev.llmthrottle.bench.accuracy;

/**
 * One chat call of the batch.
 *
 * @param index its position in the batch
 * @param prompt the user message (ASCII letters and spaces)
 * @param maxTokens the output cap it asks for
 */
public record Call(int index, String prompt, int maxTokens) {

	/** The model name sent; the simulated provider accepts any. */
	public static final String MODEL = "gpt-4o-mini";

	/** The OpenAI chat-completions request body. */
	public String body() {
		return "{\"model\":\"" + MODEL + "\",\"max_completion_tokens\":" + this.maxTokens
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"" + this.prompt + "\"}]}";
	}

	/**
	 * What the simulated provider charges at admission: its prompt estimate
	 * ({@code ceil(chars / 4) + 3} per message, {@code + 3}) plus
	 * {@code max_completion_tokens}. The Resilience4j clients use it as their token
	 * weight, the most accurate figure a hand-written client could have.
	 */
	public int providerCharge() {
		return (this.prompt.length() + 3) / 4 + 6 + this.maxTokens;
	}

}
