package dev.llmthrottle.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.llmthrottle.core.Priority;

/**
 * Runs the annotated bean method (or every public method of the annotated class) inside
 * an admission of the named provider's throttler: the call waits, without exceeding
 * {@code max-wait}, until concurrency and every rate limit have room, and releases its
 * permit when it ends, whatever the outcome.
 *
 * <p>
 * Works for blocking methods and for methods returning {@code Mono}, {@code Flux} (the
 * permit is held until the stream ends or is cancelled), any other reactive type Spring
 * can adapt, and {@code CompletionStage}. Reactive and asynchronous callers wait without
 * blocking a thread.
 *
 * <p>
 * The method's own exceptions are rethrown unchanged, except those that carry the
 * provider's error response (Spring's {@code WebClientResponseException} and
 * {@code RestClientResponseException}, the official openai-java and anthropic-java SDKs'
 * service exceptions): those are learnt from as the HTTP filters learn from responses (a
 * 429 pauses every caller of the partition for the provider's hint) and the method is
 * invoked again as the provider's {@code retry} settings allow (a {@code Flux} only
 * before its first element), or a never-retry error, or a hint above
 * {@code max-retry-after}, fails the call with an {@code LlmProviderException} caused by
 * the original. An SDK called from such a method should be built with
 * {@code maxRetries(0)}, or its retries multiply these.
 *
 * <p>
 * The expressions are SpEL over the method arguments, by name ({@code #prompt}, when
 * compiled with {@code -parameters}) or by position ({@code #p0}, {@code #a0}). They are
 * parsed once at startup and evaluated in a restricted context: argument properties and
 * instance methods only; no type references, constructors or bean references. An unknown
 * provider, an unparsable expression or a reference to a missing argument fails startup.
 *
 * <pre class="code">
 * &#64;LlmThrottled(provider = "openai", tokens = "#prompt.length() / 4 + 500", key = "#tenant")
 * public Mono&lt;String&gt; complete(String tenant, String prompt) { ... }
 * </pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface LlmThrottled {

	/**
	 * The provider name, as configured under {@code llm.throttle.providers.<name>}. May
	 * be a placeholder such as {@code "${app.llm.provider}"} (or contain one, or a
	 * {@code #{...}} expression), resolved once at startup against the environment, as
	 * Spring's {@code @ConcurrencyLimit} resolves its limit; a placeholder that cannot be
	 * resolved, or that names no configured provider, fails startup.
	 */
	String provider();

	/**
	 * SpEL estimate of the call's tokens (a non-negative number), charged as input
	 * tokens. When empty, the provider's {@code default-output-tokens} is reserved as
	 * output tokens, or else only one request is counted.
	 */
	String tokens() default "";

	/**
	 * SpEL partition key (a tenant id, an API key): each distinct value is throttled
	 * separately. The raw value is hashed before it is stored or shown. When empty, or
	 * when it evaluates to {@code null} or blank, the provider's default partition is
	 * used.
	 */
	String key() default "";

	/**
	 * The lane the call waits in when the partition has no room for it now:
	 * {@link Priority#INTERACTIVE} calls are admitted before queued
	 * {@link Priority#DEFAULT} and {@link Priority#BATCH} ones, and each lower lane keeps
	 * the provider's {@code min-share} of the admissions while it waits. Calls made
	 * through a filtered client inside the method are admitted once, in this lane.
	 */
	Priority priority() default Priority.DEFAULT;

}
