package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Dimension;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every charge the real client made, per dimension, in time order, with settled amounts:
 * the evidence from which trailing-window maxima are computed. The noisy neighbour is not
 * recorded. Guarded by the enforcer's lock.
 */
final class Ledger {

	private final Map<Dimension, List<Charge>> entries = new EnumMap<>(Dimension.class);

	Ledger() {
		for (Dimension d : Dimension.values()) {
			entries.put(d, new ArrayList<>());
		}
	}

	Charge record(Dimension dimension, long amount, long now) {
		Charge charge = new Charge(now, amount, 0);
		entries.get(dimension).add(charge);
		return charge;
	}

	Map<Dimension, LedgerSnapshot.Series> copy() {
		Map<Dimension, LedgerSnapshot.Series> copy = new EnumMap<>(Dimension.class);
		for (Map.Entry<Dimension, List<Charge>> e : entries.entrySet()) {
			List<Charge> list = e.getValue();
			long[] times = new long[list.size()];
			long[] amounts = new long[list.size()];
			for (int i = 0; i < times.length; i++) {
				times[i] = list.get(i).time;
				amounts[i] = list.get(i).amount;
			}
			copy.put(e.getKey(), new LedgerSnapshot.Series(times, amounts));
		}
		return copy;
	}

}
