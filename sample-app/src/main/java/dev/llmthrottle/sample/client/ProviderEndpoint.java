package dev.llmthrottle.sample.client;

import java.net.URI;

import dev.llmthrottle.protocol.Dialect;

/**
 * Where and how the sample talks to one configured provider.
 *
 * @param name the provider name ({@code llm.throttle.providers.<name>})
 * @param dialect its wire dialect: {@code openai} uses {@code /v1/chat/completions},
 * {@code anthropic} uses {@code /v1/messages}
 * @param baseUrl its first configured base URL (without {@code /v1})
 * @param apiKey the key to send, never logged
 * @param model the model named in each request
 */
public record ProviderEndpoint(String name, Dialect dialect, URI baseUrl, String apiKey, String model) {

	/**
	 * Whether the provider speaks the Anthropic messages API (else the OpenAI chat
	 * completions API).
	 */
	public boolean isAnthropic() {
		return this.dialect == Dialect.ANTHROPIC;
	}

	/**
	 * The tokens to reserve for {@code prompt} at admission, as the provider counts them:
	 * OpenAI (and the OpenAI-compatible dialects) count the prompt estimate plus
	 * {@code max_tokens}; Anthropic counts input tokens at admission and output tokens as
	 * they are generated.
	 */
	public long admissionTokens(Prompt prompt) {
		return isAnthropic() ? prompt.estimatedInputTokens() : prompt.estimatedTokens();
	}

	/** The completion endpoint of the dialect under the base URL. */
	public URI completionsUri() {
		String base = this.baseUrl.toString().replaceAll("/+$", "");
		return URI.create(base + (isAnthropic() ? "/v1/messages" : "/v1/chat/completions"));
	}

	/**
	 * The base URL an OpenAI SDK takes (openai-java's, Spring AI's): the provider's, with
	 * {@code /v1}.
	 */
	public String openAiApiBase() {
		return openAiApiBase(this.baseUrl.toString());
	}

	static String openAiApiBase(String baseUrl) {
		String base = baseUrl.replaceAll("/+$", "");
		return base.endsWith("/v1") ? base : base + "/v1";
	}

	@Override
	public String toString() {
		return "ProviderEndpoint[" + this.name + ", " + this.dialect.id() + ", " + this.baseUrl + ", " + this.model
				+ "]";
	}

}
