// decide(state, command) → events | DomainError. This is where the method is enforced, by one
// small handler per command type (in decision/), each checking stage, permission, turn, then
// content. A refused command produces no event.

import type { Command, CommandOf, CommandType } from './commands.ts';
import { discussionHandlers } from './decision/discussion.ts';
import type { Handlers } from './decision/guards.ts';
import { integrationHandlers } from './decision/integration.ts';
import { lifecycleHandlers } from './decision/lifecycle.ts';
import { objectionHandlers } from './decision/objections.ts';
import { registerHandlers } from './decision/register.ts';
import { DomainError, unexpected } from './errors.ts';
import type { Event } from './events.ts';
import type { State } from './states.ts';

/** Every command type with its handler: a forgotten one is a compile error. */
const handlers: Handlers = { ...lifecycleHandlers, ...discussionHandlers, ...objectionHandlers, ...integrationHandlers, ...registerHandlers };

/** Decides what happens when `command` is issued in `state`: the resulting events, or why not. */
export function decide(state: State, command: Command): Event[] | DomainError {
  try {
    return handle(command.type, state, command);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

function handle<K extends CommandType>(type: K, state: State, command: CommandOf<K>): Event[] {
  const handler: Handlers[K] | undefined = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
  if (handler === undefined) throw unexpected(command);
  return handler(state, command);
}
