/**
 * anthropic-java's clients under the call pipeline: {@link AnthropicSdkThrottle} wraps an
 * {@code AnthropicClient} or {@code AnthropicClientAsync} (a throttling
 * {@code Interceptor} innermost, {@code maxRetries(0)}). Loaded only with anthropic-java
 * on the class path.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.sdk.anthropic;

import org.jspecify.annotations.NullMarked;
