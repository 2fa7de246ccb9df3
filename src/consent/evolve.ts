// evolve(state, event) → state. Events are facts already accepted by `decide`, so evolve does
// not re-check the method; an event that cannot apply means a corrupt log and throws.
// One small reducer per event type, in evolution/.

import { unexpected } from './errors.ts';
import type { Event, EventOf, EventType } from './events.ts';
import { discussionReducers } from './evolution/discussion.ts';
import type { Reducers } from './evolution/helpers.ts';
import { objectionReducers } from './evolution/objections.ts';
import { registerReducers } from './evolution/register.ts';
import type { Proposal, State } from './states.ts';

/** The state before any event: no proposal yet. */
export const initialState: State = null;

/** Every event type with its reducer: a forgotten one is a compile error. */
const reducers: Reducers = { ...discussionReducers, ...objectionReducers, ...registerReducers };

/** Applies one event. Throws if the event cannot apply (corrupt or foreign log). */
export function evolve(state: State, event: Event): Proposal {
  return apply(event.type, state, event);
}

function apply<K extends EventType>(type: K, state: State, event: EventOf<K>): Proposal {
  const reducer: Reducers[K] | undefined = Object.hasOwn(reducers, type) ? reducers[type] : undefined;
  if (reducer === undefined) throw unexpected(event);
  return reducer(state, event);
}

/** Rebuilds a state from its events, oldest first; from a snapshot when `init` is given. */
export function fold(events: readonly Event[], init: State = initialState): State {
  return events.reduce<State>(evolve, init);
}
