/**
 * The advisor behind {@link dev.llmthrottle.annotation.LlmThrottled}: a bean
 * post-processor that proxies annotated beans, resolves each annotation at startup, and
 * admits every call (blocking, {@code CompletionStage}, or reactive with Reactor kept
 * optional) through the provider's throttler, releasing the permit on every path. A
 * failure that carries the provider's response (Spring's HTTP client exceptions, the
 * official SDKs' exceptions read by class name) is fed back and retried as the HTTP
 * filters do. A success settles to the usage an HTTP adapter underneath reported, else to
 * the usage the returned value carries (Spring AI's {@code ChatResponse}, openai-java's
 * and anthropic-java's responses, read by {@code ReturnedUsages} when their libraries are
 * present), else to the estimate. A startup check warns when an SDK's own retries would
 * multiply the advisor's.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.aop;

import org.jspecify.annotations.NullMarked;
