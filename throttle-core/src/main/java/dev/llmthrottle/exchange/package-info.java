/**
 * One LLM call as the HTTP layer sees it: which provider a URL belongs to, what the call costs before and after,
 * what a response means for the partition (cooldown, shrinking, learned limits) and whether to retry. Spring-free;
 * the WebClient filter, the RestClient interceptor and the annotation advisor all delegate here.
 */
@NullMarked
package dev.llmthrottle.exchange;

import org.jspecify.annotations.NullMarked;
