/**
 * The accuracy and makespan harness: one batch of calls against the simulated provider in
 * each enforcement model, sent by each client a user might pick, with the provider's own
 * evidence (429s, the most admitted in any trailing window) and the design's lower bound
 * on the makespan.
 */
package dev.llmthrottle.bench.accuracy;
