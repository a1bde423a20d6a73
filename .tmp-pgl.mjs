import v8 from "node:v8"; if (process.env.FLAGS) v8.setFlagsFromString(process.env.FLAGS);
import { PGlite } from '@electric-sql/pglite';
const mb = (n) => (n / 1048576).toFixed(0);
const show = (label) => { const m = process.memoryUsage(); const hwm = (await_hwm()); console.log(label, 'rss', mb(m.rss), 'heap', mb(m.heapUsed), 'ext', mb(m.external), 'ab', mb(m.arrayBuffers), 'hwm', hwm); };
import { readFileSync } from 'node:fs';
function await_hwm() { return (Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])/1024).toFixed(0); }
show('start');
const opts = JSON.parse(process.argv[3] ?? '{}');
const db = await PGlite.create(process.argv[2] === 'mem' ? undefined : process.argv[2], opts);
show('created');
await db.query('create table if not exists t(id int, x text)');
for (let i = 0; i < 200; i++) await db.query('insert into t values ($1, $2)', [i, 'x'.repeat(100)]);
show('queries');
const r = await db.query("select name, setting, unit from pg_settings where name in ('shared_buffers','work_mem','wal_buffers','maintenance_work_mem','temp_buffers','max_connections')");
console.log(JSON.stringify(r.rows));
await db.close();
show('closed');
