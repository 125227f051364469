/**
 * The package's public face is deliberate: every name `cdk-scalable-ai` exports is listed in
 * public-exports.json. A new export (a helper that leaked through `export *`) or a removed one
 * (a breaking change for users) fails here; change the list only on purpose, in the same commit.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as library from '../../lib';

const LIST = path.join(__dirname, 'public-exports.json');

test('the exported names are exactly the listed public API', () => {
  const listed = JSON.parse(fs.readFileSync(LIST, 'utf8')) as string[];
  const exported = Object.keys(library).sort();
  const added = exported.filter((name) => !listed.includes(name));
  const removed = listed.filter((name) => !exported.includes(name));
  expect({ added, removed }).toEqual({ added: [], removed: [] });
});
