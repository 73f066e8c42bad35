package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Dimension;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An admitted request, as the {@link Enforcer} tracks it until completion: its charges
 * per limit and per ledger dimension, and its planned end (used for the concurrency-cap
 * hint). Opaque to callers; guarded by the enforcer's lock.
 */
public final class Ticket {

	final long generation;

	final long admittedAt;

	final long plannedEnd;

	final List<Charge> meterCharges;

	final Map<Dimension, Charge> ledgerCharges;

	final Map<Dimension, Long> charged = new EnumMap<>(Dimension.class);

	boolean completed;

	Ticket(long generation, long admittedAt, long plannedEnd, List<Charge> meterCharges,
			Map<Dimension, Charge> ledgerCharges, Cost cost) {
		this.generation = generation;
		this.admittedAt = admittedAt;
		this.plannedEnd = plannedEnd;
		this.meterCharges = meterCharges;
		this.ledgerCharges = ledgerCharges;
		for (Dimension d : Dimension.values()) {
			charged.put(d, cost.get(d));
		}
	}

	/** The clock reading at admission. */
	public long admittedAt() {
		return admittedAt;
	}

}
