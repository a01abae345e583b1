/**
 * Writes apps/server/src/features/accounts/passwords/common-passwords.txt from the dev
 * dependency @zxcvbn-ts/language-common. Run after upgrading that package, and commit:
 *
 *   node bin/run-ts.js apps/server/scripts/build-common-passwords.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildCommonPasswordList } from '../src/features/accounts/passwords/common-passwords-build.ts';

const require = createRequire(import.meta.url);
const source = JSON.parse(readFileSync(require.resolve('@zxcvbn-ts/language-common/src/passwords.json'), 'utf8')) as string[];
const target = new URL('../src/features/accounts/passwords/common-passwords.txt', import.meta.url);
const text = buildCommonPasswordList(source);
writeFileSync(target, text);
console.log(`Wrote ${text.split('\n').length - 1} passwords to ${target.pathname}`);
