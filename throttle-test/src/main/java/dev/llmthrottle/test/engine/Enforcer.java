package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.clock.SimClock;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.Limit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Admits requests against every configured limit at once, the way a provider does: a
 * request is admitted only if each limit has room for its cost (a dimension it does not
 * charge yet must still have at least one unit left), and only then is anything consumed.
 * Later charges (output tokens as they are produced) and settlements (estimate replaced
 * by actual usage) adjust the same state, and every charge by the real client is kept in
 * a ledger for the evidence.
 *
 * <p>
 * Order of checks: a cost above a limit's amount is {@link Admission.TooLarge}; then the
 * concurrency cap ({@link Admission.Saturated}); then the rate limits
 * ({@link Admission.Throttled}, carrying the longest wait until every limit would have
 * room, which is the truthful retry hint). Refused requests consume nothing.
 *
 * <p>
 * One lock guards all state: admission must check and consume every limit atomically, and
 * at a few thousand decisions per second contention does not matter. {@link #reset()}
 * starts a new generation; tickets from an older one no longer affect the state.
 */
public final class Enforcer {

	private final EnforcerSettings settings;

	private final SimClock clock;

	private final Object lock = new Object();

	private final Set<Ticket> active = Collections.newSetFromMap(new IdentityHashMap<>());

	private long generation;

	private Meter[] meters;

	private NoisyNeighbour neighbour;

	private Ledger ledger;

	private long admitted;

	private long completed;

	private int maxInFlight;

	private long firstAdmission;

	private long lastCompletion;

	/** Starts with every limit full at the clock's current reading. */
	public Enforcer(EnforcerSettings settings, SimClock clock) {
		this.settings = settings;
		this.clock = clock;
		synchronized (lock) {
			begin(clock.nanoTime());
		}
	}

	private void begin(long now) {
		generation++;
		SplittableRandom offsets = new SplittableRandom(settings.seed());
		List<Limit> limits = settings.limits();
		meters = new Meter[limits.size()];
		for (int i = 0; i < meters.length; i++) {
			meters[i] = Meters.create(settings.model(), limits.get(i), settings.quantum(), now, offsets);
		}
		neighbour = new NoisyNeighbour(settings.neighbourShare(), now, meters.length);
		ledger = new Ledger();
		admitted = 0;
		completed = 0;
		maxInFlight = active.size();
		firstAdmission = LedgerSnapshot.NONE;
		lastCompletion = LedgerSnapshot.NONE;
	}

	/** The settings this enforcer was created with. */
	public EnforcerSettings settings() {
		return settings;
	}

	/**
	 * Decides on a request now.
	 * @param cost the cost charged at admission
	 * @param plannedNanos how long the request is expected to take (for the
	 * concurrency-cap hint)
	 */
	public Admission tryAdmit(Cost cost, long plannedNanos) {
		synchronized (lock) {
			long now = clock.nanoTime();
			neighbour.advance(meters, now);
			for (Meter meter : meters) {
				long requested = cost.get(meter.limit().dimension());
				if (requested > meter.limit().amount()) {
					return new Admission.TooLarge(meter.limit(), requested, snapshotAt(now));
				}
			}
			int max = settings.maxConcurrent();
			if (max > 0 && active.size() >= max) {
				return new Admission.Saturated(max, untilFirstPlannedEnd(now), snapshotAt(now));
			}
			long wait = 0;
			Limit blocking = null;
			for (Meter meter : meters) {
				long need = Math.max(1, cost.get(meter.limit().dimension()));
				long w = meter.waitNanos(need, now);
				if (w > wait) {
					wait = w;
					blocking = meter.limit();
				}
			}
			if (blocking != null) {
				return new Admission.Throttled(blocking, wait, snapshotAt(now));
			}
			List<Charge> charges = new ArrayList<>(meters.length);
			for (Meter meter : meters) {
				charges.add(meter.charge(cost.get(meter.limit().dimension()), now));
			}
			Map<Dimension, Charge> recorded = new EnumMap<>(Dimension.class);
			for (Dimension d : Dimension.values()) {
				recorded.put(d, ledger.record(d, cost.get(d), now));
			}
			Ticket ticket = new Ticket(generation, now, now + Math.max(0, plannedNanos), charges, recorded, cost);
			active.add(ticket);
			admitted++;
			maxInFlight = Math.max(maxInFlight, active.size());
			if (firstAdmission == LedgerSnapshot.NONE) {
				firstAdmission = now;
			}
			return new Admission.Admitted(ticket, snapshotAt(now));
		}
	}

	private long untilFirstPlannedEnd(long now) {
		long first = Long.MAX_VALUE;
		for (Ticket t : active) {
			first = Math.min(first, t.plannedEnd);
		}
		return Math.max(0, first - now);
	}

	/**
	 * Charges more at the current instant, e.g. output tokens as they are produced
	 * (Anthropic).
	 */
	public void charge(Ticket ticket, Cost extra) {
		synchronized (lock) {
			if (ticket.generation != generation) {
				return;
			}
			long now = clock.nanoTime();
			neighbour.advance(meters, now);
			for (Meter meter : meters) {
				long amount = extra.get(meter.limit().dimension());
				if (amount > 0) {
					meter.charge(amount, now);
				}
			}
			for (Dimension d : Dimension.values()) {
				long amount = extra.get(d);
				if (amount > 0) {
					ledger.record(d, amount, now);
					ticket.charged.merge(d, amount, Long::sum);
				}
			}
		}
	}

	/**
	 * Settles a ticket to its actual total cost: the difference from what was charged so
	 * far is applied to the admission charge (refund or debt) in every meter and in the
	 * ledger.
	 */
	public void settle(Ticket ticket, Cost actual) {
		synchronized (lock) {
			if (ticket.generation != generation) {
				return;
			}
			long now = clock.nanoTime();
			neighbour.advance(meters, now);
			for (Dimension d : Dimension.values()) {
				Charge admissionEntry = ticket.ledgerCharges.get(d);
				long delta = Math.max(actual.get(d) - ticket.charged.get(d), -admissionEntry.amount);
				if (delta == 0) {
					continue;
				}
				admissionEntry.amount += delta;
				ticket.charged.merge(d, delta, Long::sum);
				for (int i = 0; i < meters.length; i++) {
					if (meters[i].limit().dimension() == d) {
						meters[i].adjust(ticket.meterCharges.get(i), delta, now);
					}
				}
			}
		}
	}

	/** Marks a ticket complete (idempotent); it no longer counts as in flight. */
	public void complete(Ticket ticket) {
		synchronized (lock) {
			if (ticket.completed) {
				return;
			}
			ticket.completed = true;
			active.remove(ticket);
			if (ticket.generation == generation) {
				completed++;
				lastCompletion = clock.nanoTime();
			}
		}
	}

	/** The state of every limit now. */
	public RateSnapshot snapshot() {
		synchronized (lock) {
			long now = clock.nanoTime();
			neighbour.advance(meters, now);
			return snapshotAt(now);
		}
	}

	private RateSnapshot snapshotAt(long now) {
		List<LimitState> states = new ArrayList<>(meters.length);
		for (Meter meter : meters) {
			states.add(new LimitState(meter.limit(), meter.remaining(now), meter.resetNanos(now)));
		}
		return new RateSnapshot(now, states);
	}

	/** A copy of the evidence recorded since the start or the last reset. */
	public LedgerSnapshot ledger() {
		synchronized (lock) {
			return new LedgerSnapshot(ledger.copy(), admitted, completed, active.size(), maxInFlight, firstAdmission,
					lastCompletion);
		}
	}

	/**
	 * Restores every limit to full and clears the evidence; in-flight requests keep
	 * running.
	 */
	public void reset() {
		synchronized (lock) {
			begin(clock.nanoTime());
		}
	}

}
