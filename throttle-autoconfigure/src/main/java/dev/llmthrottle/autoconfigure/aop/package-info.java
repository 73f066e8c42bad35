/**
 * The advisor behind {@link dev.llmthrottle.annotation.LlmThrottled}: a bean
 * post-processor that proxies annotated beans, resolves each annotation at startup, and
 * admits every call (blocking, {@code CompletionStage}, or reactive with Reactor kept
 * optional) through the provider's throttler, releasing the permit on every path. A
 * failure that carries the provider's response (Spring's HTTP client exceptions, the
 * official SDKs' exceptions read by class name) is fed back and retried as the HTTP
 * filters do; a startup check warns when an SDK's own retries would multiply the
 * advisor's.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.aop;

import org.jspecify.annotations.NullMarked;
