package dev.llmthrottle.sample.client;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One chat request of the dataset.
 *
 * @param id unique id, carried into the results file
 * @param kind what sort of prompt it is (short, medium, passage, chat, long)
 * @param maxTokens the most output tokens the model may generate
 * @param messages the conversation, optionally starting with a system message
 */
public record Prompt(String id, String kind, @JsonProperty("max_tokens") int maxTokens, List<Message> messages) {

	/** Characters per token of English text, the usual heuristic. */
	private static final double CHARS_PER_TOKEN = 4.0;

	/**
	 * Safety factor on the heuristic: it undercounts punctuation, numbers and non-English
	 * text.
	 */
	private static final double SAFETY_FACTOR = 1.1;

	public Prompt {
		messages = List.copyOf(messages);
	}

	/**
	 * Estimated prompt tokens: characters / 4 with a 10% margin, plus 4 tokens of framing
	 * per message and 3 for the reply priming (OpenAI cookbook). The provider's
	 * {@code usage} gives the truth afterwards.
	 */
	public long estimatedInputTokens() {
		long chars = 0;
		for (Message message : this.messages) {
			chars += message.content().length();
		}
		return (long) Math.ceil(chars / CHARS_PER_TOKEN * SAFETY_FACTOR) + 4L * this.messages.size() + 3;
	}

	/**
	 * What an OpenAI-style provider charges at admission: the prompt estimate plus
	 * {@code max_tokens}.
	 */
	public long estimatedTokens() {
		return estimatedInputTokens() + this.maxTokens;
	}

	/** The same prompt under another id (used when the dataset is cycled). */
	public Prompt withId(String newId) {
		return new Prompt(newId, this.kind, this.maxTokens, this.messages);
	}

	/**
	 * One message of the conversation.
	 *
	 * @param role system, user or assistant
	 * @param content its text
	 */
	public record Message(String role, String content) {
	}

}
