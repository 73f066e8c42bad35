/**
 * Token accounting without Spring: estimating a request's cost before it is sent, and
 * reading what it really cost from the response ({@code usage}), including streamed
 * responses.
 *
 * <p>
 * Estimates use jtokkit for OpenAI encodings (ordinary-text counting, so text containing
 * special-token markers never throws) and a chars/4 heuristic with a safety factor
 * elsewhere (protocol.md §5, design.md "Token accounting dialects"). Nothing here throws
 * on malformed JSON: extraction returns empty and estimation falls back to the heuristic.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.protocol.tokens.TokenEstimator},
 * {@link dev.llmthrottle.protocol.tokens.TokenEstimate},
 * {@link dev.llmthrottle.protocol.tokens.Usage},
 * {@link dev.llmthrottle.protocol.tokens.HeuristicTokenEstimator},
 * {@link dev.llmthrottle.protocol.tokens.OpenAiTokenEstimator},
 * {@link dev.llmthrottle.protocol.tokens.JtokkitTokenCounter}. Internal (public only for
 * the call pipeline, may change without notice):
 * {@link dev.llmthrottle.protocol.tokens.UsageExtractor},
 * {@link dev.llmthrottle.protocol.tokens.StreamUsageTracker}; the request-body and JSON
 * helpers are package-private.
 */
@NullMarked
package dev.llmthrottle.protocol.tokens;

import org.jspecify.annotations.NullMarked;
