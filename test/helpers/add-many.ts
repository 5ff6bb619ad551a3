// Worker for the concurrency test: registers `count` servers named `<prefix>-<i>` in `home`, opening
// the store for each one as a separate CLI run would. Prints {first, last} timestamps as JSON.
import { registerServer } from '../../core/registry/register.ts';
import { openStore } from '../../core/store/database.ts';

const [home, prefix, count] = process.argv.slice(2) as [string, string, string];
let first = 0;
for (let i = 0; i < Number(count); i++) {
  const store = openStore(home);
  try {
    registerServer(store, { name: `${prefix}-${i}`, transport: 'http', url: `https://${prefix}.example/${i}` }, { cwd: process.cwd(), env: process.env });
  } finally {
    store.close();
  }
  if (i === 0) first = Date.now();
}
process.stdout.write(JSON.stringify({ first, last: Date.now() }));
