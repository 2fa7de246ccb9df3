/** Runs in every test file before its tests: settings that only make the tests cheaper, never laxer. */
import { setPasswordHashCostForTests, type PasswordHashCost } from '../src/accounts/crypto.ts';

/** Still argon2id, at its smallest cost: the tests create and sign in hundreds of accounts. */
export const TEST_PASSWORD_HASH_COST: PasswordHashCost = Object.freeze({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

setPasswordHashCostForTests(TEST_PASSWORD_HASH_COST);
