/**
 * Server-side evidence: what the simulated provider admitted and refused, computed from
 * its own records (trailing-window maxima from the ledger of settled charges), so a test
 * proves over-admission without trusting the client's counters.
 */
@NullMarked
package dev.llmthrottle.test.stats;

import org.jspecify.annotations.NullMarked;
