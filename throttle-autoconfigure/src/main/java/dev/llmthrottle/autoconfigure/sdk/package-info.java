/**
 * The call pipeline under the official SDKs' clients that the application builds itself
 * (openai-java, anthropic-java): a decorator of each SDK's own {@code HttpClient}, put in
 * place through the client's {@code withOptions(...)}, with the SDK's own retries turned
 * off so that retries are owned once, by the provider's retry policy.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.autoconfigure.sdk.SdkThrottle} (what the decorators
 * share), {@code dev.llmthrottle.autoconfigure.sdk.openai.OpenAiSdkThrottle} and
 * {@code dev.llmthrottle.autoconfigure.sdk.anthropic.AnthropicSdkThrottle} (wrap a
 * client), {@link dev.llmthrottle.autoconfigure.sdk.LlmThrottleSdkAutoConfiguration}. The
 * rest is for the SDK adapters of this package only. Each SDK is an optional dependency:
 * the classes of one SDK are loaded only when that SDK is on the class path.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.sdk;

import org.jspecify.annotations.NullMarked;
