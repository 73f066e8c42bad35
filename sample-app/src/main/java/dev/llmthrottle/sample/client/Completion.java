package dev.llmthrottle.sample.client;

/**
 * What a provider answered to one prompt.
 *
 * @param text the generated text
 * @param inputTokens prompt tokens the provider counted ({@code usage})
 * @param outputTokens completion tokens the provider counted ({@code usage})
 */
public record Completion(String text, long inputTokens, long outputTokens) {
}
