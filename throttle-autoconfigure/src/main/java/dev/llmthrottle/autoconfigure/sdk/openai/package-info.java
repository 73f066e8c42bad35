/**
 * openai-java's clients under the call pipeline: {@link OpenAiSdkThrottle} wraps an
 * {@code OpenAIClient} or {@code OpenAIClientAsync} (its raw {@code HttpClient} replaced
 * by a throttling decorator, {@code maxRetries(0)}). Loaded only with openai-java on the
 * class path.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.sdk.openai;

import org.jspecify.annotations.NullMarked;
