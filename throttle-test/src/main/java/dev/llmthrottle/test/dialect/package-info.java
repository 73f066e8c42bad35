/**
 * The wire dialects: how a chat request is read and priced at admission, and how
 * responses, rate-limit headers, retry hints, errors and SSE streams are written for
 * OpenAI, Azure OpenAI and Anthropic.
 */
@NullMarked
package dev.llmthrottle.test.dialect;

import org.jspecify.annotations.NullMarked;
