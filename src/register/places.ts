/** Where a register lives: the whole one for accounts, its published decisions for anyone. */
import type { Scope } from './register.service.ts';

export interface Place {
  /** the path the list, the records and their relevés hang from */
  base: string;
  scope: Scope;
}

export const PRIVATE: Place = Object.freeze({ base: '/registre', scope: {} });
export const PUBLIC: Place = Object.freeze({ base: '/decisions-publiques', scope: { publishedOnly: true } });
