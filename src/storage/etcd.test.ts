import { after } from 'node:test';
import { startEtcd } from '../../test/support/etcd.ts';
import { runStoreConformance } from './conformance.ts';
import { EtcdStore } from './etcd.ts';

// One etcd for every test of this file; the conformance suite keeps each test under its own key prefix.
const etcd = await startEtcd();
after(() => etcd.stop());

runStoreConformance('etcd', () => EtcdStore.open(etcd.url), {
  reopen: async (store) => {
    await store.close();
    return EtcdStore.open(etcd.url);
  },
});
