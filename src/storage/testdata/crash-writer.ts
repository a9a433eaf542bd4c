// Creates keys in batches of 10 parallel writes until killed, printing "KEY REVISION" once each is acknowledged.
import { SqliteStore } from '../sqlite.ts';

const store = SqliteStore.open(process.argv[2]);
for (let batch = 0; ; batch++) {
  await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    const kv = await store.create(`/crash/${batch}/${i}`, 'v'.repeat(200));
    process.stdout.write(`${kv.key} ${kv.modRevision}\n`);
  }));
}
