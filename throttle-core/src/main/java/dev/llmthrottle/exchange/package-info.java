/**
 * One LLM call as the HTTP layer sees it: which provider a URL belongs to, what the call
 * costs before and after, what a response means for the partition (cooldown, shrinking,
 * learned limits) and whether to retry. Spring-free; the WebClient filter, the RestClient
 * interceptor and the annotation advisor all delegate here.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.exchange.LlmProvider},
 * {@link dev.llmthrottle.exchange.LlmProviders},
 * {@link dev.llmthrottle.exchange.RetryPolicy},
 * {@link dev.llmthrottle.exchange.ResponseFeedback},
 * {@link dev.llmthrottle.exchange.CostEstimator} and the exceptions callers see,
 * {@link dev.llmthrottle.exchange.LlmProviderException},
 * {@link dev.llmthrottle.exchange.RetryAfterTooLongException},
 * {@link dev.llmthrottle.exchange.DailyQuotaExhaustedException}. Internal (public only
 * for the call pipeline, may change without notice):
 * {@link dev.llmthrottle.exchange.CallVerdict}, and the stream reader in
 * {@code dev.llmthrottle.exchange.internal}.
 */
@NullMarked
package dev.llmthrottle.exchange;

import org.jspecify.annotations.NullMarked;
