/**
 * The providers' rate-limit protocol, without Spring: reading rate-limit headers, retry
 * hints and error bodies, and classifying failed responses.
 *
 * <p>
 * Everything here is a pure function of its inputs (status, headers, body text, dialect
 * and the current instant, which callers pass in so that results are deterministic).
 * Parsers never throw on what a server sends: garbage, negative, non-finite, overflowing
 * or past values yield "unknown" or "no hint". The facts behind the rules are in
 * {@code shared/docs/protocol.md}; section numbers in comments refer to it. Token
 * estimation and usage extraction live in the {@code tokens} sub-package.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.protocol.Dialect} and
 * {@link dev.llmthrottle.protocol.ProtocolHeaders} (they appear in the signatures of the
 * call pipeline and of {@code exchange}), and
 * {@link dev.llmthrottle.protocol.SecretRedactor}. Internal (public only for the
 * library's other packages and its tests, may change without notice): the parsers and
 * their results, {@link dev.llmthrottle.protocol.ErrorClassifier},
 * {@link dev.llmthrottle.protocol.OverloadAnswers},
 * {@link dev.llmthrottle.protocol.Classification},
 * {@link dev.llmthrottle.protocol.ErrorCategory},
 * {@link dev.llmthrottle.protocol.ErrorBody},
 * {@link dev.llmthrottle.protocol.RateLimitHeaders},
 * {@link dev.llmthrottle.protocol.RateLimitSnapshot},
 * {@link dev.llmthrottle.protocol.DimensionState},
 * {@link dev.llmthrottle.protocol.RateDimension},
 * {@link dev.llmthrottle.protocol.LimitType},
 * {@link dev.llmthrottle.protocol.RetryHintResolver},
 * {@link dev.llmthrottle.protocol.RetryHint},
 * {@link dev.llmthrottle.protocol.DailyQuota},
 * {@link dev.llmthrottle.protocol.TimeParsers}; the shared JSON helper is in
 * {@code dev.llmthrottle.protocol.internal}.
 */
@NullMarked
package dev.llmthrottle.protocol;

import org.jspecify.annotations.NullMarked;
