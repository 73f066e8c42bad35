package dev.llmthrottle.autoconfigure.sdk;

import java.util.OptionalInt;

import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.sdk.anthropic.AnthropicSdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.openai.OpenAiSdkThrottle;

/**
 * What the startup checks can tell about an official SDK's client object without
 * depending on the SDK: its own retries ({@code maxRetries}). Each SDK's classes are
 * touched only when that SDK is on the class path.
 */
public final class SdkClients {

	private final boolean openAi;

	private final boolean anthropic;

	/** Looks the SDKs up with {@code classLoader}. */
	public SdkClients(ClassLoader classLoader) {
		this.openAi = ClassUtils.isPresent("com.openai.client.OpenAIClient", classLoader);
		this.anthropic = ClassUtils.isPresent("com.anthropic.client.AnthropicClient", classLoader);
	}

	/**
	 * The SDK retries of {@code client}, or empty when it is no SDK client or they cannot
	 * be read.
	 */
	public OptionalInt maxRetries(Object client) {
		try {
			if (this.openAi) {
				OptionalInt retries = OpenAiSdkThrottle.maxRetries(client);
				if (retries.isPresent()) {
					return retries;
				}
			}
			if (this.anthropic) {
				return AnthropicSdkThrottle.maxRetries(client);
			}
		}
		catch (RuntimeException | LinkageError ex) {
			// an SDK version whose options cannot be read: unknown
		}
		return OptionalInt.empty();
	}

}
